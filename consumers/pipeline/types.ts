import type { KafkaMessage } from 'kafkajs';
import type { Db } from '../../src/db/client';
import type { Logger } from '../../src/logger';
import type { InboundTopic } from '../../src/contracts';
import type { HandlerSettings } from '../../src/transaction-context';
import type { EventHandler } from './handler';

/** What the pipeline needs from the service; the runner passes it to every stage. */
export interface ProcessorDeps {
  db: Db;
  topicPrefix: string;
  logger: Logger;
  /** eventType -> handler. */
  handlers: ReadonlyMap<string, EventHandler>;
  settings: HandlerSettings;
  clock?: () => Date;
}

export interface InboundRecord {
  /** Contract topic name, without the prefix. */
  topic: InboundTopic;
  partition: number;
  message: KafkaMessage;
}
