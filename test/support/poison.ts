import type { Db } from '../../src/db/client';

/**
 * A bug-class failure for tests: a trigger that makes every reservation
 * insert of an order whose id starts with `prefix` fail with SQLSTATE XX000
 * (internal_error): not a data error, not transient, the same every time,
 * like a bug in a handler. Only tests create it; nothing in the service knows.
 */
export async function installPoison(db: Db, prefix: string): Promise<void> {
  await db.$executeRawUnsafe(`
    CREATE OR REPLACE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'test poison: order %', NEW.order_id USING ERRCODE = 'XX000';
    END $$`);
  await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_poison ON reservation`);
  await db.$executeRawUnsafe(`
    CREATE TRIGGER test_poison BEFORE INSERT ON reservation FOR EACH ROW
    WHEN (starts_with(NEW.order_id, '${prefix.replace(/'/g, "''")}')) EXECUTE FUNCTION test_poison()`);
}

export async function removePoison(db: Db): Promise<void> {
  await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS test_poison ON reservation`);
}
