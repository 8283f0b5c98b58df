#!/bin/sh
# The main job on a fresh Debian 12 machine, as root: install what is missing,
# build tuner, and show the plan of this host with the default profile. A dry
# run: nothing on the host is changed. Exit status: tuner plan's (0 nothing to
# change, 2 changes pending, 1 error).
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTUNER_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec ./build/tuner plan "$@"
