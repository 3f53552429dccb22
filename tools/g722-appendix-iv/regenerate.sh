#!/usr/bin/env bash
# Re-creates tests/Pipeline.Codecs.Tests/G722/AppendixIV/<scenario>.txt: the per-frame checksums of the ITU-T G.722
# Appendix IV reference decoder's output for our test scenarios.
#
# Usage: tools/g722-appendix-iv/regenerate.sh /path/to/decg722
#
# decg722 is the decoder of the ITU-T G.722 (09/2012) software package, directory Software/G.722-Appendix-IV_v3.0,
# built with its workspace/Makefile.gcc (cd workspace && make -f Makefile.gcc). No ITU-T code is in this repository:
# this script only feeds that program the scenario streams and records checksums of what it writes.
#
# Steps: our tool writes each scenario (G.722 bytes from our encoder + loss mask) as a G.192 bitstream; decg722 decodes
# it with -fsize 320 (20 ms) or 160 (10 ms), erased frames being concealed; our tool turns the output into checksums.
set -euo pipefail
decoder=${1:?usage: $0 /path/to/decg722}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tool="$here/G722AppendixIVTool/G722AppendixIVTool.csproj"
dotnet run --project "$tool" -c Release -- dump "$work"
while read -r name fsize; do
  "$decoder" -fsize "$fsize" "$work/$name.g192" "$work/$name.out" > "$work/$name.log" 2>&1 || { cat "$work/$name.log"; exit 1; }
done < "$work/scenarios.txt"
dotnet run --project "$tool" -c Release -- checksums "$work" "$root/tests/Pipeline.Codecs.Tests/G722/AppendixIV"
