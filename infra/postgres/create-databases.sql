-- One database per service: no service can read another's tables, and each applies its own migrations.
-- Postgres runs this once, when docker compose first creates its volume (docker-entrypoint-initdb.d);
-- `docker compose down -v` deletes the volume, so the next start creates them again.
-- The local mode without Docker creates the same databases with scripts/create-databases.mjs.
CREATE DATABASE saga_order;
CREATE DATABASE saga_payment;
CREATE DATABASE saga_inventory;
CREATE DATABASE saga_shipping;
