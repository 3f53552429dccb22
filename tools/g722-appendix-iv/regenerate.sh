#!/usr/bin/env bash
# Re-creates the ITU-T G.722 reference checksums of tests/Pipeline.Codecs.Tests/G722/AppendixIV:
#   <scenario>.txt          per-frame checksums of the Appendix IV reference decoder's output for our loss scenarios
#   encoder/<scenario>.txt  per-frame checksums of the reference encoder's output for our encoder scenarios
#                           (only when the path of encg722 is given)
#
# Usage: tools/g722-appendix-iv/regenerate.sh /path/to/decg722 [/path/to/encg722]
#
# decg722 is the decoder of the ITU-T G.722 (09/2012) software package, directory Software/G.722-Appendix-IV_v3.0,
# built with its workspace/Makefile.gcc (cd workspace && make -f Makefile.gcc). encg722 is our encoder main program,
# tools/g722-appendix-iv/encg722.c, built against the same package's src/funcg722.c (its header comment shows how).
# No ITU-T code is in this repository: this script only feeds those programs the scenarios and records checksums of
# what they write.
#
# Steps: our tool writes each loss scenario (G.722 bytes from our encoder + loss mask) as a G.192 bitstream and each
# encoder scenario as 16-bit LE PCM; decg722 decodes the former with -fsize 320 (20 ms) or 160 (10 ms), erased frames
# being concealed; encg722 encodes the latter; our tool turns their outputs into checksums.
set -euo pipefail
decoder=${1:?usage: $0 /path/to/decg722 [/path/to/encg722]}
encoder=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/tests/Pipeline.Codecs.Tests/G722/AppendixIV"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tool="$here/G722AppendixIVTool/G722AppendixIVTool.csproj"
dotnet run --project "$tool" -c Release -- dump "$work"
while read -r name fsize; do
  "$decoder" -fsize "$fsize" "$work/$name.g192" "$work/$name.out" > "$work/$name.log" 2>&1 || { cat "$work/$name.log"; exit 1; }
done < "$work/scenarios.txt"
dotnet run --no-build --project "$tool" -c Release -- checksums "$work" "$out"

if [ -n "$encoder" ]; then
  while read -r name; do
    "$encoder" "$work/$name.pcm" "$work/$name.itu.g722" > "$work/$name.enc.log" 2>&1 || { cat "$work/$name.enc.log"; exit 1; }
  done < "$work/encoder-scenarios.txt"
  dotnet run --no-build --project "$tool" -c Release -- enc-checksums "$work" "$out"
else
  echo "encoder checksums not regenerated (no encg722 given)"
fi
