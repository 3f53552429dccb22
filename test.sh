#!/usr/bin/env bash
# Runs every test of Pipeline. On a fresh Debian machine (as root) it first installs the real
# peers the interop tests drive (SIPp, baresip, ffmpeg, sox, tshark, kamailio, dnsmasq) and the
# native codec libraries the codec tests load (libopus, bcg729, spandsp). As a non-root user it lists
# what is missing and stops.
set -euo pipefail
cd "$(dirname "$0")"

packages=(sip-tester baresip ffmpeg sox tshark kamailio dnsmasq-base libopus0 libbcg729-0 libspandsp2)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: these Debian packages are missing: ${missing[*]}" >&2
    echo "test.sh: install them as root (apt-get install -y ${missing[*]}) or run this script as root." >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2
  exit 1
fi

# Interop tests must not skip on CI: a missing peer is a failure there.
export CI="${CI:-false}"
dotnet build Pipeline.sln -c Release -nologo -v q

# Unit tests first (the test projects run in parallel), then the interop tests on their own: they
# measure real-time audio against real peers and must not share two cores with a SIP flood test.
rc=0
dotnet test Pipeline.sln -c Release --no-build -nologo \
  --filter "FullyQualifiedName!~Pipeline.Interop.Tests" \
  --blame-hang-timeout 4m \
  --logger "console;verbosity=normal" "$@" || rc=1
dotnet test tests/Pipeline.Interop.Tests -c Release --no-build -nologo \
  --blame-hang-timeout 4m \
  --logger "console;verbosity=normal" "$@" || rc=1
exit $rc
