// The evaluator names the op it cannot run, at its location.
// RUN: %python -c "import numpy as np; np.save('%t.npy', np.ones((2,), np.float32))"
// RUN: not quweit-run %s --input %t.npy 2>&1 | FileCheck %s
// CHECK: unsupported.mlir:[[@LINE+2]]:8: error: the reference evaluator does not support 'math.atan'
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = math.atan %x : tensor<2xf32>
  return %y : tensor<2xf32>
}
