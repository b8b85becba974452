/* Links a compiled model with one f32 [batch, F] argument and one f32
 * [batch, K] result, runs it on a .npy file and writes the result:
 *
 *   float_driver x.npy K y.npy                                              */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int32_t quweit_main(int64_t batch, const float *x, float *y);

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s x.npy K y.npy\n", argv[0]); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *file = malloc(size);
  if (fread(file, 1, size, f) != (size_t)size) return 2;
  fclose(f);
  unsigned short header_len;
  memcpy(&header_len, file + 8, 2);
  char *header = calloc(header_len + 1, 1);
  memcpy(header, file + 10, header_len);
  long rows = 0, cols = 0;
  char *shape = strstr(header, "'shape': (");
  if (!shape || !strstr(header, "'<f4'") || sscanf(shape, "'shape': (%ld, %ld)", &rows, &cols) != 2) {
    fprintf(stderr, "expected a 2-D float32 .npy\n");
    return 2;
  }
  long k = atol(argv[2]);
  float *y = malloc(sizeof(float) * (rows * k + 1));
  int32_t status = quweit_main(rows, (const float *)(file + 10 + header_len), y);
  if (status != 0) { fprintf(stderr, "quweit_main returned %d\n", status); return 1; }
  char text[128];
  int n = snprintf(text, sizeof text, "{'descr': '<f4', 'fortran_order': False, 'shape': (%ld, %ld), }", rows, k);
  int pad = (64 - (10 + n + 1) % 64) % 64;
  unsigned short len = (unsigned short)(n + pad + 1);
  FILE *out = fopen(argv[3], "wb");
  if (!out) { perror(argv[3]); return 2; }
  fwrite("\x93NUMPY\x01\x00", 1, 8, out);
  fwrite(&len, 2, 1, out);
  fwrite(text, 1, n, out);
  for (int i = 0; i < pad; ++i) fputc(' ', out);
  fputc('\n', out);
  fwrite(y, sizeof(float), rows * k, out);
  fclose(out);
  return 0;
}
