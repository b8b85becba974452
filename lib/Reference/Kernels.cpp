//===- Kernels.cpp - reference semantics of the quweit ops ----------------===//

#include "quweit/Reference/Kernels.h"

namespace quweit::reference {

void thermometer(const float *x, int64_t batch, int64_t features,
                 const float *thresholds, int64_t bitsPerFeature,
                 uint8_t *out) {
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t f = 0; f < features; ++f)
      for (int64_t k = 0; k < bitsPerFeature; ++k)
        // Strictly greater; a NaN input compares false and gives 0.
        out[(b * features + f) * bitsPerFeature + k] =
            x[b * features + f] > thresholds[f * bitsPerFeature + k];
}

void lutLayer(const uint8_t *in, int64_t batch, int64_t numInputs,
              const int64_t *mapping, int64_t numLuts, int64_t fanIn,
              const uint8_t *tables, uint8_t *out) {
  int64_t tableSize = int64_t(1) << fanIn;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t j = 0; j < numLuts; ++j) {
      int64_t address = 0;
      for (int64_t l = 0; l < fanIn; ++l)
        address |= int64_t(in[b * numInputs + mapping[j * fanIn + l]] != 0)
                   << l;
      out[b * numLuts + j] = tables[j * tableSize + address] != 0;
    }
}

void groupSum(const uint8_t *bits, int64_t batch, int64_t numBits,
              int64_t groups, const int64_t *groupIndex, int64_t *counts) {
  int64_t groupSize = (numBits + groups - 1) / groups;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t g = 0; g < groups; ++g)
      counts[b * groups + g] = 0;
    for (int64_t i = 0; i < numBits; ++i) {
      int64_t g = groupIndex ? groupIndex[i] : i / groupSize;
      counts[b * groups + g] += bits[b * numBits + i] != 0;
    }
  }
}

void scaleCounts(const int64_t *counts, int64_t batch, int64_t groups,
                 float tau, const float *scale, const float *bias, float *out) {
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t g = 0; g < groups; ++g) {
      float value = static_cast<float>(counts[b * groups + g]) / tau;
      if (scale)
        value = value * scale[g];
      if (bias)
        value = value + bias[g];
      out[b * groups + g] = value;
    }
}

template <typename T>
static void argmaxImpl(const T *scores, int64_t batch, int64_t classes,
                       int64_t *out) {
  for (int64_t b = 0; b < batch; ++b) {
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      // Strictly greater keeps the lowest index among equal maxima; a NaN
      // never compares greater.
      if (scores[b * classes + c] > scores[b * classes + best])
        best = c;
    out[b] = best;
  }
}

void argmax(const float *scores, int64_t batch, int64_t classes, int64_t *out) {
  argmaxImpl(scores, batch, classes, out);
}
void argmax(const int64_t *scores, int64_t batch, int64_t classes,
            int64_t *out) {
  argmaxImpl(scores, batch, classes, out);
}

void packBits(const uint8_t *bits, int64_t batch, int64_t features,
              unsigned wordBits, bool batchSliced, uint64_t *words) {
  int64_t rows = batchSliced ? (batch + wordBits - 1) / wordBits : batch;
  int64_t cols = batchSliced ? features : (features + wordBits - 1) / wordBits;
  for (int64_t i = 0; i < rows * cols; ++i)
    words[i] = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t f = 0; f < features; ++f) {
      if (!bits[b * features + f])
        continue;
      if (batchSliced)
        words[(b / wordBits) * cols + f] |= uint64_t(1) << (b % wordBits);
      else
        words[b * cols + f / wordBits] |= uint64_t(1) << (f % wordBits);
    }
}

void unpackBits(const uint64_t *words, int64_t batch, int64_t features,
                unsigned wordBits, bool batchSliced, uint8_t *bits) {
  int64_t cols = batchSliced ? features : (features + wordBits - 1) / wordBits;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t f = 0; f < features; ++f) {
      uint64_t word = batchSliced ? words[(b / wordBits) * cols + f]
                                  : words[b * cols + f / wordBits];
      unsigned bit = batchSliced ? b % wordBits : f % wordBits;
      bits[b * features + f] = (word >> bit) & 1;
    }
}

} // namespace quweit::reference
