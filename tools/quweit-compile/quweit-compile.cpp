//===- quweit-compile.cpp - compile a QuWeiT model to an object -----------===//
//
// quweit-compile model.mlir -o model.o [--header model.h] [-O2]
//                [--mcpu=native|generic|x86-64-v3|...] [--layout=auto|...]
//                [--time-passes]
//
// Nothing is written unless everything succeeds: the object and the header
// are produced in memory, written to temporaries and renamed into place.
//
//===----------------------------------------------------------------------===//

#include "quweit/InitAll.h"
#include "quweit/Support/ModelFile.h"
#include "quweit/Pipelines/Pipelines.h"
#include "quweit/Target/CPU/Compile.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/Timing.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Pass.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <unistd.h>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("quweit-compile options");
static cl::opt<std::string> inputFilename(cl::Positional, cl::Required,
                                          cl::desc("<model.mlir|model.mlirbc>"),
                                          cl::cat(category));
static cl::opt<std::string> outputFilename("o", cl::Required,
                                           cl::desc("Object file to write"),
                                           cl::value_desc("file.o"),
                                           cl::cat(category));
static cl::opt<std::string> headerFilename("header",
                                           cl::desc("C header to write"),
                                           cl::value_desc("file.h"),
                                           cl::cat(category));
static cl::opt<std::string> signatureFilename(
    "signature", cl::desc("Also write a JSON description of the entry points"),
    cl::value_desc("file.json"), cl::cat(category));
static cl::opt<std::string> llvmIRFilename("emit-llvm",
                                           cl::desc("Also write the optimised LLVM IR"),
                                           cl::value_desc("file.ll"),
                                           cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::Prefix, cl::init(2),
                                  cl::desc("Optimisation level 0..3 (default 2)"),
                                  cl::cat(category));
static cl::opt<std::string> cpu("mcpu", cl::init("native"),
                                cl::desc("Target CPU: native, generic, x86-64-v2, "
                                         "x86-64-v3, x86-64-v4 or an LLVM CPU name"),
                                cl::cat(category));
static cl::opt<std::string> layout("layout", cl::init("auto"),
                                   cl::desc("LUT bit layout: auto, batch-sliced, "
                                            "feature-packed or none"),
                                   cl::cat(category));
static cl::opt<unsigned> threads("num-threads", cl::init(1),
                                  cl::desc("Threads one call splits its batch over "
                                           "(functions of quweit ops only)"),
                                  cl::cat(category));
static cl::opt<std::string> parallel(
    "parallel", cl::init("batch"),
    cl::desc("How --num-threads is used: batch (split the batch over pthreads; "
             "functions of quweit ops only) or openmp (parallel loops over rows "
             "and LUTs inside every op; any model; link with -lomp)"),
    cl::cat(category));
static cl::opt<unsigned> wordBits(
    "word-bits", cl::init(0),
    cl::desc("Bits per bit-sliced word: 8 to 512, a power of two; 0 (default): "
             "the target's widest SIMD register"),
    cl::cat(category));
static cl::opt<std::string> lutCodegen(
    "lut-codegen", cl::init("auto"),
    cl::desc("Bit-sliced LUT code: auto (specialise small models), table "
             "(tables as data; compile time independent of the LUT count) or "
             "specialise (tables compiled into logic; fastest)"),
    cl::cat(category));
static cl::opt<int64_t> specialiseMaxLuts(
    "specialise-max-luts", cl::init(2048),
    cl::desc("With --lut-codegen=auto, specialise up to this many LUTs"),
    cl::cat(category));
static cl::opt<std::string> matmul(
    "matmul", cl::init("vectorize"),
    cl::desc("f32 matmuls (attention, projections): vectorize (register-"
             "tiled FMA loops; default), blas (cblas_sgemm calls: link the "
             "object with a CBLAS library, e.g. -lopenblas) or loops"),
    cl::cat(category));
static cl::opt<std::string> prefix("prefix", cl::init("quweit_"),
                                   cl::desc("Prefix of the exported C symbols"),
                                   cl::cat(category));

/// Models of this size or more are compiled with huge pages (below).
constexpr uint64_t kHugePageModelBytes = uint64_t(16) << 20;

/// A million-LUT model moves hundreds of MB through fresh allocations (hex
/// blobs decoded, table bytes, constants, the object), and with 4 KiB pages
/// the page faults took half of the compile time (measured on this project's
/// VM: 1M LUTs 3.5-4.5 s, 1.4-2.2 s with huge pages; docs/performance.md,
/// P4). glibc backs its allocations with transparent huge pages only when
/// the glibc.malloc.hugetlb tunable is set at process start, so for a large
/// model the tool runs itself again once with it. A GLIBC_TUNABLES that
/// already names the tunable (e.g. glibc.malloc.hugetlb=0) is respected.
static void reexecWithHugePages(char **argv) {
#if defined(__linux__) && defined(__GLIBC__)
  const char *tunables = getenv("GLIBC_TUNABLES");
  if (tunables && llvm::StringRef(tunables).contains("glibc.malloc.hugetlb"))
    return;
  uint64_t size = 0;
  if (llvm::sys::fs::file_size(inputFilename, size) || size < kHugePageModelBytes)
    return;
  std::string value = tunables && *tunables ? std::string(tunables) + ":" : "";
  value += "glibc.malloc.hugetlb=1";
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0)
    return;
  execv("/proc/self/exe", argv);
  // Not re-executed (no /proc?): compile here, with ordinary pages.
  unsetenv("GLIBC_TUNABLES");
  if (tunables)
    setenv("GLIBC_TUNABLES", tunables, 1);
#endif
  (void)argv;
}

/// For --time-passes: whether this process asked glibc for huge pages.
static bool hugePagesRequested() {
  const char *tunables = getenv("GLIBC_TUNABLES");
  return tunables &&
         llvm::StringRef(tunables).contains("glibc.malloc.hugetlb=1");
}

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "quweit-compile") << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  quweit::registerAllPasses();
  // LLVM's own --time-passes (it sets llvm::TimePassesIsEnabled) is shown
  // as ours: it also turns on the phase and MLIR pass timers below.
  if (cl::Option *timePasses = cl::getRegisteredOptions().lookup("time-passes")) {
    timePasses->addCategory(category);
    timePasses->setHiddenFlag(cl::NotHidden);
    timePasses->setDescription(
        "Print the time of each phase (parse, every MLIR pass, translation to "
        "LLVM IR, LLVM optimisation, code generation) and LLVM's pass timers "
        "to stderr");
  }
  cl::HideUnrelatedOptions(category);
  cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) { os << quweit::versionString() << '\n'; });
  cl::ParseCommandLineOptions(argc, argv, "QuWeiT model compiler\n");
  reexecWithHugePages(argv);

  if (prefix.empty() || !llvm::all_of(prefix, [](char c) {
        return llvm::isAlnum(c) || c == '_';
      }) || llvm::isDigit(prefix[0]))
    return fail("--prefix must be a C identifier prefix");

  DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  quweit::registerAllDialects(registry);
  MLIRContext context(registry);

  // Phase timers (--time-passes); printed to stderr when `timing` goes away.
  DefaultTimingManager timing;
  timing.setEnabled(llvm::TimePassesIsEnabled);
  if (llvm::TimePassesIsEnabled)
    llvm::errs() << "quweit-compile: "
                 << (hugePagesRequested()
                         ? "huge pages (glibc.malloc.hugetlb=1)"
                         : "ordinary pages")
                 << "\n";
  TimingScope rootTimer = timing.getRootScope();
  TimingScope parseTimer = rootTimer.nest("parse and verify the model");
  quweit::ModelFile model(inputFilename, context);
  parseTimer.stop();
  if (!model.openError().empty())
    return fail(model.openError());
  ModuleOp module = model.module();
  if (!module)
    return 1;

  quweit::CompileOptions options;
  options.optLevel = optLevel;
  options.cpu = cpu;
  options.layout = layout;
  options.symbolPrefix = prefix;
  options.threads = threads;
  options.wordBits = wordBits;
  options.lutCodegen = lutCodegen;
  options.keepLLVMIR = !llvmIRFilename.empty();
  options.specialiseMaxLuts = specialiseMaxLuts;
  options.parallel = parallel;
  options.matmul = matmul;
  options.sourceName = llvm::sys::path::filename(inputFilename).str();
  if (llvm::TimePassesIsEnabled)
    options.timing = &rootTimer;
  llvm::Expected<quweit::CompiledModel> compiled =
      quweit::compileModel(module, options);
  if (!compiled)
    return fail(inputFilename + ": " + llvm::toString(compiled.takeError()));

  // Write everything or nothing.
  TimingScope writeTimer = rootTimer.nest("write the outputs");
  SmallVector<std::string> written;
  auto write = [&](const std::string &path, llvm::StringRef bytes) {
    if (llvm::Error err = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
          os << bytes;
          return llvm::Error::success();
        })) {
      for (const std::string &done : written)
        llvm::sys::fs::remove(done);
      fail("cannot write '" + path + "': " + llvm::toString(std::move(err)));
      return false;
    }
    written.push_back(path);
    return true;
  };
  if (!headerFilename.empty() && !write(headerFilename, compiled->header))
    return 1;
  if (!signatureFilename.empty() && !write(signatureFilename, compiled->signature))
    return 1;
  if (!llvmIRFilename.empty() && !write(llvmIRFilename, compiled->llvmIR))
    return 1;
  if (!write(outputFilename,
             llvm::StringRef(compiled->object.data(), compiled->object.size())))
    return 1;
  return 0;
}
