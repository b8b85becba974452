//===- Kernels.h - reference semantics of the quweit ops ---------*- C++ -*-===//
//
// Straightforward loops that compute exactly what docs/semantics.md says.
// They are the oracle for every lowering, so they share no code with any
// lowering and favour obviousness over speed. All arrays are row-major;
// bits are 0/1 bytes.
//
//===----------------------------------------------------------------------===//

#ifndef QUWEIT_REFERENCE_KERNELS_H
#define QUWEIT_REFERENCE_KERNELS_H

#include <cstdint>

namespace quweit::reference {

/// out[b, f*T + k] = x[b, f] > thresholds[f, k]   (out: batch x F*T)
void thermometer(const float *x, int64_t batch, int64_t features,
                 const float *thresholds, int64_t bitsPerFeature,
                 uint8_t *out);

/// out[b, j] = tables[j, sum_l in[b, mapping[j, l]] << l]   (out: batch x M)
void lutLayer(const uint8_t *in, int64_t batch, int64_t numInputs,
              const int64_t *mapping, int64_t numLuts, int64_t fanIn,
              const uint8_t *tables, uint8_t *out);

/// counts[b, g] = number of ones among the bits of group g of row b.
/// Without groupIndex (nullptr) the groups are contiguous runs of
/// ceil(numBits / groups) bits (the last one padded with zeros); otherwise
/// bit i belongs to group groupIndex[i].
void groupSum(const uint8_t *bits, int64_t batch, int64_t numBits,
              int64_t groups, const int64_t *groupIndex, int64_t *counts);

/// out[b, g] = (float(counts[b, g]) / tau) * scale[g] + bias[g], in f32;
/// scale and bias may be nullptr (then neither the multiply nor the add is
/// performed).
void scaleCounts(const int64_t *counts, int64_t batch, int64_t groups,
                 float tau, const float *scale, const float *bias, float *out);

/// out[b] = lowest index of the largest score of row b.
void argmax(const float *scores, int64_t batch, int64_t classes, int64_t *out);
void argmax(const int64_t *scores, int64_t batch, int64_t classes,
            int64_t *out);

/// Packs batch x features bits into words of `wordBits` bits.
/// batchSliced: words[w, i] bit s = bits[w*W + s, i] (words: ceil(B/W) x N);
/// otherwise:   words[b, w] bit s = bits[b, w*W + s] (words: B x ceil(N/W)).
/// Words are returned as their unsigned value in uint64_t.
void packBits(const uint8_t *bits, int64_t batch, int64_t features,
              unsigned wordBits, bool batchSliced, uint64_t *words);
void unpackBits(const uint64_t *words, int64_t batch, int64_t features,
                unsigned wordBits, bool batchSliced, uint8_t *bits);

} // namespace quweit::reference

#endif // QUWEIT_REFERENCE_KERNELS_H
