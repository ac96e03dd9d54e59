export { createKafka } from './kafka-client.js';
export { unreadPartitions, withAdmin } from './admin.js';
export { provisionTopics, TopicMismatch } from './topic-provisioner.js';
