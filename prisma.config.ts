import { defineConfig } from 'prisma/config';

// The URL is only needed by `prisma migrate` (on machines where Prisma's schema
// engine exists); `prisma generate` works without one.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/inventory' },
});
