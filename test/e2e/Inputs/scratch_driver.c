/* Calls a compiled classifier (f32 [batch, F] -> f32 scores [batch, K], i64
 * classes [batch]) many times from several threads at once, with
 * quweit_release_scratch() called between rounds, and checks that every call
 * returns 0 and writes exactly the scores of the first call: the cache of
 * temporaries that quweit-compile adds to an object (docs/abi.md) must be
 * safe under concurrent calls and after a release.
 *
 *   scratch_driver BATCH F K THREADS ROUNDS */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int32_t quweit_main(int64_t batch, const float *x, float *scores, int64_t *classes);
void quweit_release_scratch(void);

static long batch, features, classes;
static float *input, *expected;
static int rounds;

static void *worker(void *arg) {
  (void)arg;
  float *scores = malloc(batch * classes * sizeof(float));
  int64_t *cls = malloc(batch * sizeof(int64_t));
  for (int r = 0; r < rounds; ++r) {
    memset(scores, 0xff, batch * classes * sizeof(float));
    if (quweit_main(batch, input, scores, cls) != 0) {
      fprintf(stderr, "call failed\n");
      exit(1);
    }
    if (memcmp(scores, expected, batch * classes * sizeof(float)) != 0) {
      fprintf(stderr, "round %d: scores differ from the first call\n", r);
      exit(1);
    }
    if (r % 3 == 2)
      quweit_release_scratch();
  }
  free(scores);
  free(cls);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: scratch_driver BATCH F K THREADS ROUNDS\n");
    return 2;
  }
  batch = atol(argv[1]);
  features = atol(argv[2]);
  classes = atol(argv[3]);
  int threads = atoi(argv[4]);
  rounds = atoi(argv[5]);
  input = malloc(batch * features * sizeof(float));
  expected = malloc(batch * classes * sizeof(float));
  int64_t *cls = malloc(batch * sizeof(int64_t));
  srand(7);
  for (long i = 0; i < batch * features; ++i)
    input[i] = 4.0f * rand() / RAND_MAX - 2.0f;
  if (quweit_main(batch, input, expected, cls) != 0)
    return 1;
  pthread_t tid[64];
  for (int t = 0; t < threads; ++t)
    pthread_create(&tid[t], NULL, worker, NULL);
  for (int t = 0; t < threads; ++t)
    pthread_join(tid[t], NULL);
  quweit_release_scratch();
  printf("SCRATCH OK: %d threads x %d rounds\n", threads, rounds);
  return 0;
}
