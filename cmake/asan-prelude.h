/* Force-included (-include) into every file of a sanitizer or fuzzer build.
 *
 * LLVM's BumpPtrAllocator and Recyclers poison fresh slabs for ASan and
 * unpoison each allocation, but only in code compiled with ASan. Our code
 * and the uninstrumented libMLIR share allocators (the MLIRContext's storage
 * uniquer): a slab started by our instrumented inline copy of
 * BumpPtrAllocator::Allocate is poisoned whole, libMLIR's copy then hands out
 * pieces of it without unpoisoning, and the next write from libMLIR is a
 * false "use-after-poison" (fuzz-parse found it in FileLineColRange::get).
 * Poisoning is turned off in the LLVM headers; everything else ASan checks
 * stays on. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define __asan_poison_memory_region(addr, size) ((void)(addr), (void)(size))
#endif
#endif
