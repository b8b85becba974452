// A dense_resource blob whose alignment (its first 4 bytes) is 0: MLIR's
// parser accepts it and its blob allocator aborts ("LLVM ERROR: out of
// memory"). Found by fuzz-evaluate.
func.func @main(%x: tensor<?x2xi32>) -> tensor<?x2xi32> {
  %c = arith.constant dense_resource<blob> : tensor<2xi32>
  return %x : tensor<?x2xi32>
}
{-#
  dialect_resources: {
    builtin: {
      blob: "0x000000000100000002000000"
    }
  }
#-}
