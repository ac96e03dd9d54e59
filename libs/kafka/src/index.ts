export {
  aclEntries,
  deployment,
  grantServiceAccess,
  viewGroup,
  rightsOf,
  viewerRights,
  type Deployment,
  type KafkaCredentials,
  type Right,
} from './access.js';
export { createKafka, credentialsFromEnv } from './kafka-client.js';
export { unreadPartitions, withAdmin } from './admin.js';
export { provisionTopics, TopicMismatch } from './topic-provisioner.js';
