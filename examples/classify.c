/* Runs a compiled classifier from C: reads samples from a .npy file (float32,
 * shape [batch, features]), calls the entry point that quweit-compile
 * generated, and prints each sample's predicted class.
 *
 *   quweit-compile examples/tiny_dwn/model.mlir -o model.o --header model.h
 *   cc -I. -DCLASSES=3 examples/classify.c model.o -o classify -lm
 *   ./classify examples/tiny_dwn/input.npy                                  */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CLASSES
#error "define CLASSES, the number of class scores the model returns"
#endif

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s samples.npy\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *file = malloc(size + 1);
  if (size < 10 || fread(file, 1, size, f) != (size_t)size) { fprintf(stderr, "cannot read %s\n", argv[1]); return 2; }
  fclose(f);
  unsigned header_len = (unsigned char)file[8] | ((unsigned char)file[9] << 8);
  char *header = calloc(header_len + 1, 1);
  memcpy(header, file + 10, header_len);
  long rows = 0, cols = 0;
  char *shape = strstr(header, "'shape': (");
  if (memcmp(file, "\x93NUMPY\x01", 7) != 0 || !shape || !strstr(header, "'<f4'") ||
      sscanf(shape, "'shape': (%ld, %ld)", &rows, &cols) != 2 ||
      10 + header_len + rows * cols * sizeof(float) != (size_t)size) {
    fprintf(stderr, "%s: expected a version-1 float32 .npy of shape (batch, features)\n", argv[1]);
    return 2;
  }
  float *scores = malloc(sizeof(float) * rows * CLASSES + 1);
  int64_t *classes = malloc(sizeof(int64_t) * rows + 1);
  int32_t status = quweit_main(rows, (const float *)(file + 10 + header_len), scores, classes);
  if (status != 0) {
    fprintf(stderr, "quweit_main failed with status %d\n", status);
    return 1;
  }
  for (long i = 0; i < rows; ++i) {
    printf("sample %ld: class %lld  scores", i, (long long)classes[i]);
    for (int c = 0; c < CLASSES; ++c)
      printf(" %g", scores[i * CLASSES + c]);
    printf("\n");
  }
  return 0;
}
