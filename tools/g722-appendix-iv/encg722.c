/*
 * encg722.c -- a G.722 64 kbit/s encoder main program of the Pipeline project (our code, not part of any ITU-T
 * package). It contains no ITU-T code: it only calls the reference encoder functions qmf_tx, lsbcod and hsbcod of
 * the ITU-T G.722 (09/2012) software package (Software/G.722-Appendix-IV_v3.0/src/funcg722.c, which has these
 * functions but no encoder main), the way the ITU-T STL G.722 encoder (g722_reset_encoder + g722_encode) does:
 *   reset : qmf_tx_delayx[0..23] = 0, lsbcod(0, 1, s), hsbcod(0, 1, s)
 *   per pair of 16 kHz samples in time order (x[0] earlier, x[1] later):
 *     qmf_tx(x[1], x[0], &xl, &xh, s)      (xin0 = the later sample, xin1 = the earlier one)
 *     il = lsbcod(xl, 0, s); ih = hsbcod(xh, 0, s)
 *     code = (ih << 6) + il                (ih in bits 7..6, il in bits 5..0: the RTP payload / ffmpeg "-f g722" byte)
 * tools/g722-appendix-iv/regenerate.sh runs it on our encoder scenarios to record the reference checksums.
 *
 * Build (pkg = Software/G.722-Appendix-IV_v3.0 of the package; no source edits needed for the encoder):
 *   gcc -O2 -fno-builtin -I<pkg>/src -I<pkg>/src/stl2005_basop encg722.c <pkg>/src/funcg722.c \
 *       <pkg>/src/stl2005_basop/basop32.c <pkg>/src/stl2005_basop/control.c <pkg>/src/stl2005_basop/count.c \
 *       -o encg722
 * (-fno-builtin as in the package's Makefile.gcc: basop32.h declares its own round(). control.c and count.c are
 * needed because the package's count.h always enables the STL operation counters.)
 *
 * Usage : encg722 in.raw out.g722
 * Input : raw 16-bit little-endian PCM, 16 kHz, mono (an odd trailing sample is ignored)
 * Output: raw G.722 at 64 kbit/s, one byte per sample pair
 */
#include <stdio.h>
#include "g722.h"

int main(int argc, char *argv[])
{
  g722_state state;
  FILE *in, *out;
  unsigned char b[4];
  Word16 x0, x1, xl, xh, il, ih;
  long pairs = 0;
  int j;

  if (argc != 3) {
    fprintf(stderr, "usage: %s in.raw (16-bit LE PCM, 16 kHz) out.g722\n", argv[0]);
    return 2;
  }
  if ((in = fopen(argv[1], "rb")) == NULL) { perror(argv[1]); return 1; }
  if ((out = fopen(argv[2], "wb")) == NULL) { perror(argv[2]); return 1; }

  for (j = 0; j < 24; j++) state.qmf_tx_delayx[j] = 0;
  lsbcod(0, 1, &state);
  hsbcod(0, 1, &state);

  while (fread(b, 1, 4, in) == 4) {
    x0 = (Word16)(b[0] | (b[1] << 8)); /* earlier sample */
    x1 = (Word16)(b[2] | (b[3] << 8)); /* later sample */
    qmf_tx(x1, x0, &xl, &xh, &state);
    il = lsbcod(xl, 0, &state);
    ih = hsbcod(xh, 0, &state);
    fputc(((ih << 6) + il) & 0xFF, out);
    pairs++;
  }

  if (ferror(in) || fclose(out) != 0) { perror("encg722"); return 1; }
  fclose(in);
  fprintf(stderr, "encg722: %ld bytes written\n", pairs);
  return 0;
}
