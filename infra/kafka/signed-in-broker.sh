#!/bin/bash
# Starts a node of a Kafka cluster whose clients must sign in (SASL/SCRAM-SHA-512), in the apache/kafka image:
# compose.yaml and compose.cluster.yaml run their nodes with it, and so do the tests' containers.
#
# Why a script before the image's own: SCRAM credentials live in the cluster's metadata, and a new KRaft cluster
# can be given its first ones only when its storage is formatted. Without them nobody could sign in, not even an
# admin to create the others. So this formats the storage with a credential for each user of SCRAM_USERS, then
# hands over to the image's start script, which finds the storage formatted and starts the node as configured by
# its KAFKA_* variables. On a restart the storage is formatted already and left alone.
#
#   SCRAM_USERS="admin=secret order=secret2 ..."   names and passwords (letters, digits, '-', '_', '.')
#
# The first user is the one the health check signs in as (the admin): its client settings are left in
# /tmp/admin.properties for `kafka-broker-api-versions.sh --command-config`.
set -euo pipefail

scram=()
admin=''
for user in ${SCRAM_USERS:?set SCRAM_USERS to the users and passwords of the cluster}; do
  [[ $user =~ ^[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]+$ ]] || { echo "SCRAM_USERS: '${user%%=*}=...' is not name=password" >&2; exit 64; }
  scram+=(--add-scram "SCRAM-SHA-512=[name=${user%%=*},password=${user#*=}]")
  [[ -n $admin ]] || admin=$user
done

: "${KAFKA_LOG_DIRS:?set KAFKA_LOG_DIRS: the storage to format is the one the node will use}"
props=$(mktemp)
# The image's rule for its variables: KAFKA_FOO_BAR -> foo.bar, '__' -> '_', '___' -> '-'.
while IFS='=' read -r name value; do
  [[ $name == KAFKA_* && ! $name =~ ^KAFKA_(HEAP_OPTS|OPTS|VERSION|LOG4J_.*|JMX_.*)$ ]] || continue
  key=${name#KAFKA_}; key=${key,,}; key=${key//___/-}; key=${key//__/@}; key=${key//_/.}; key=${key//@/_}
  printf '%s=%s\n' "$key" "$value" >> "$props"
done < <(env)

status=0
formatted=$(java -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format --ignore-formatted \
  -t "${CLUSTER_ID:?set CLUSTER_ID, the same on every node}" -c "$props" "${scram[@]}" 2>&1) || status=$?
rm -f "$props" # it holds the nodes' passwords
# Never the bootstrap records: they hold the credentials' hashes.
echo "$formatted" | grep -v -e '^Bootstrap metadata' -e '^SLF4J' >&2 || true
[[ $status -eq 0 ]] || exit "$status"

(umask 077; cat > /tmp/admin.properties) <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${admin%%=*}" password="${admin#*=}";
PROPERTIES

exec /etc/kafka/docker/run
