export {
  startInfrastructure,
  testInfrastructure,
  kafkaVersion,
  POSTGRES_IMAGE,
  serviceCredentials,
  type Infrastructure,
} from './infrastructure.js';
export { createDatabase, dropDatabase, databaseUrl } from './databases.js';
export { TopicReader, type ReadMessage } from './topic-reader.js';
export { eventually } from './eventually.js';
export { freePort } from './free-port.js';
export { anOrder, anOrderPlaced, type AnOrder } from './fixtures.js';
export { takeDown, bringBack, type InfrastructurePart } from './outages.js';
export { TestTopics } from './test-topics.js';
export { given } from './given.js';
export { WireFaults } from './wire-faults.js';
export { startKafkaCluster, type KafkaCluster } from './kafka-cluster.js';
