//===- InputLimits.cpp - checks on model input before and after parsing --===//

#include "quweit/Support/InputLimits.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"

#include <cerrno>
#include <fcntl.h>
#include <csignal>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;

/// The index of the '"' that closes a string literal whose contents start at
/// `from` (a backslash escapes the next character), or text.size(). Searched
/// with memchr, not stepped through: a model's hex blobs are hundreds of MB.
static size_t stringLiteralEnd(llvm::StringRef text, size_t from) {
  while (from < text.size()) {
    size_t quote = std::min(text.find('"', from), text.size());
    size_t escape = text.slice(from, quote).find('\\');
    if (escape == llvm::StringRef::npos)
      return quote;
    from += escape + 2;
  }
  return text.size();
}

std::optional<quweit::InputProblem>
quweit::checkTextNesting(llvm::StringRef buffer, unsigned maxDepth) {
  if (buffer.starts_with("ML\xEFR"))
    return std::nullopt;
  unsigned depth = 0;
  for (size_t i = 0, e = buffer.size(); i < e; ++i) {
    char c = buffer[i];
    if (c == '/' && i + 1 < e && buffer[i + 1] == '/') {
      // A comment runs to the end of the line.
      while (i < e && buffer[i] != '\n')
        ++i;
      continue;
    }
    if (c == '"') {
      // A string literal; its brackets do not nest anything.
      i = stringLiteralEnd(buffer, i + 1);
      continue;
    }
    if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth > maxDepth)
        return InputProblem{i, "brackets nested deeper than " +
                                   std::to_string(maxDepth) +
                                   " levels; refusing to parse (the parser "
                                   "would overflow its stack)"};
    } else if ((c == ')' || c == ']' || c == '}') ||
               (c == '>' && !(i > 0 && buffer[i - 1] == '-') &&
                !(i + 1 < e && buffer[i + 1] == '='))) {
      // '->' and '>=' are not brackets. An unmatched closer is a syntax
      // error the parser reports; the count only has to stay an upper bound
      // of the parser's recursion until then.
      if (depth > 0)
        --depth;
    }
  }
  return std::nullopt;
}

namespace {
/// Just enough of MLIR's lexer to find operation names in text and to step
/// over whitespace, comments, strings and bracketed groups.
struct TextCursor {
  llvm::StringRef text;
  size_t pos = 0;

  bool atEnd() const { return pos >= text.size(); }
  char peek(size_t ahead = 0) const {
    return pos + ahead < text.size() ? text[pos + ahead] : '\0';
  }
  static bool isIdStart(char c) { return llvm::isAlpha(c) || c == '_'; }
  static bool isIdChar(char c) {
    return llvm::isAlnum(c) || c == '_' || c == '$' || c == '.';
  }
  void skipTrivia() {
    while (!atEnd()) {
      if (llvm::isSpace(peek())) {
        ++pos;
      } else if (peek() == '/' && peek(1) == '/') {
        while (!atEnd() && peek() != '\n')
          ++pos;
      } else {
        return;
      }
    }
  }
  void skipString() { // at '"'
    pos = std::min(stringLiteralEnd(text, pos + 1) + 1, text.size());
  }
  static bool isOpener(char c) {
    return c == '(' || c == '[' || c == '{' || c == '<';
  }
  /// '>' closes a bracket unless it is part of '->' or '>='.
  bool isCloserAt(size_t i) const {
    char c = text[i];
    if (c == ')' || c == ']' || c == '}')
      return true;
    return c == '>' && !(i > 0 && text[i - 1] == '-') &&
           !(i + 1 < text.size() && text[i + 1] == '=');
  }
  void skipGroup() { // at an opener; checkTextNesting bounds the depth
    unsigned depth = 0;
    while (!atEnd()) {
      if (peek() == '"') {
        skipString();
        continue;
      }
      if (peek() == '/' && peek(1) == '/') {
        skipTrivia();
        continue;
      }
      if (isOpener(peek()))
        ++depth;
      else if (isCloserAt(pos) && --depth == 0) {
        ++pos;
        return;
      }
      ++pos;
    }
  }
  llvm::StringRef lexIdentifier() { // at isIdStart
    size_t start = pos;
    while (!atEnd() && isIdChar(peek()))
      ++pos;
    return text.slice(start, pos);
  }
  /// An integer as MLIR's parseInteger reads it into an int64_t: '-'? then
  /// decimal or 0x-hexadecimal digits. Stricter than MLIR at the edges
  /// (INT64_MIN), never laxer.
  bool lexInt64() {
    if (peek() == '-') {
      ++pos;
      skipTrivia();
    }
    unsigned radix = 10;
    if (peek() == '0' && peek(1) == 'x' && llvm::isHexDigit(peek(2))) {
      radix = 16;
      pos += 2;
    }
    size_t start = pos;
    uint64_t value = 0;
    for (; !atEnd() && llvm::isHexDigit(peek()); ++pos) {
      unsigned digit = llvm::hexDigitValue(peek());
      if (digit >= radix)
        break;
      if (value > (uint64_t(INT64_MAX) - digit) / radix)
        return false;
      value = value * radix + digit;
    }
    return pos > start;
  }
};

/// linalg operations whose custom parser (MLIR 22, LinalgOps.cpp,
/// parseDenseI64ArrayAttr) stores the result of DenseI64ArrayAttr::parse
/// without checking it: on any malformed list the null attribute reaches
/// NamedAttrList::set, which dereferences it (SEGV; libMLIR has no
/// assertions). The generic form goes through the checked attribute parser.
struct UncheckedArrayKeyword {
  llvm::StringLiteral op, keyword;
};
constexpr UncheckedArrayKeyword kUncheckedArrayKeywords[] = {
    {"linalg.transpose", "permutation"},
    {"linalg.broadcast", "dimensions"},
    {"linalg.reduce", "dimensions"},
};
} // namespace

/// From just after the op name: steps over what parseCommonStructuredOpParts
/// and ReduceOp::parse read before the keyword (bracketed groups, `ins`,
/// `outs`), then, if the keyword follows, checks that `= [i64, ...]`
/// does too. Anything else is a syntax error MLIR reports safely.
static std::optional<quweit::InputProblem>
checkArrayAfterOp(TextCursor cursor, const UncheckedArrayKeyword &entry) {
  for (;;) {
    cursor.skipTrivia();
    if (cursor.atEnd())
      return std::nullopt;
    if (TextCursor::isOpener(cursor.peek())) {
      cursor.skipGroup();
      continue;
    }
    if (!TextCursor::isIdStart(cursor.peek()))
      return std::nullopt;
    llvm::StringRef word = cursor.lexIdentifier();
    if (word == "ins" || word == "outs")
      continue;
    if (word != entry.keyword)
      return std::nullopt;
    break;
  }
  cursor.skipTrivia();
  if (cursor.peek() != '=')
    return std::nullopt; // parseEqual fails cleanly
  ++cursor.pos;
  cursor.skipTrivia();
  auto problem = [&] {
    return quweit::InputProblem{
        cursor.pos, ("malformed '" + entry.keyword + "' of '" + entry.op +
                     "': expected a list of 64-bit integers such as [1, 0]; "
                     "refusing to parse (MLIR's parser crashes on it)")
                        .str()};
  };
  if (cursor.peek() != '[')
    return problem();
  ++cursor.pos;
  cursor.skipTrivia();
  if (cursor.peek() == ']')
    return std::nullopt;
  for (;;) {
    size_t element = cursor.pos;
    if (!cursor.lexInt64()) {
      cursor.pos = element; // at the start of the bad element
      return problem();
    }
    cursor.skipTrivia();
    if (cursor.peek() == ']')
      return std::nullopt;
    if (cursor.peek() != ',')
      return problem();
    ++cursor.pos;
    cursor.skipTrivia();
  }
}

/// A hex blob of the file metadata ("0x" then the alignment as 4
/// little-endian bytes, then the data) must have an alignment MLIR can
/// allocate with. Its parser checks only that a non-zero alignment is a power
/// of two; alignment 0 reaches llvm::allocate_buffer, which aborts ("out of
/// memory"; found by fuzz-evaluate), and huge ones reserve as much address
/// space. MLIR itself writes the element type's alignment.
static std::optional<quweit::InputProblem> checkBlobAlignment(llvm::StringRef buffer,
                                                              size_t quote) {
  llvm::StringRef body = buffer.drop_front(quote + 1);
  if (!body.starts_with("0x") || body.size() < 10 ||
      !llvm::all_of(body.slice(2, 10), llvm::isHexDigit))
    return std::nullopt; // not a blob, or too short: MLIR's own error
  uint32_t alignment = 0;
  for (int byte = 3; byte >= 0; --byte)
    alignment = alignment << 8 |
                llvm::hexFromNibbles(body[2 + 2 * byte], body[3 + 2 * byte]);
  if (alignment != 0 && alignment <= quweit::kMaxBlobAlignment)
    return std::nullopt;
  return quweit::InputProblem{
      quote + 1, "resource blob alignment " + std::to_string(alignment) +
                     " (its first 4 bytes) is not in [1, " +
                     std::to_string(quweit::kMaxBlobAlignment) +
                     "]; refusing to parse (MLIR's parser aborts on it)"};
}

std::optional<quweit::InputProblem>
quweit::checkUnsafeSyntax(llvm::StringRef buffer) {
  if (buffer.starts_with("ML\xEFR"))
    return std::nullopt;
  TextCursor cursor{buffer};
  bool inMetadata = false; // between '{-#' and '#-}'
  while (!cursor.atEnd()) {
    char c = cursor.peek();
    if (c == '{' && cursor.peek(1) == '-' && cursor.peek(2) == '#') {
      inMetadata = true;
      cursor.pos += 3;
    } else if (c == '#' && cursor.peek(1) == '-' && cursor.peek(2) == '}') {
      inMetadata = false;
      cursor.pos += 3;
    } else if (c == '"') {
      if (inMetadata)
        if (std::optional<InputProblem> problem =
                checkBlobAlignment(buffer, cursor.pos))
          return problem;
      cursor.skipString();
    } else if (c == '/' && cursor.peek(1) == '/') {
      cursor.skipTrivia();
    } else if (c == '%' || c == '#' || c == '!' || c == '@' || c == '^') {
      // A value, alias, type, symbol or block name is no operation name.
      ++cursor.pos;
      while (!cursor.atEnd() && (TextCursor::isIdChar(cursor.peek()) ||
                                 cursor.peek() == '-'))
        ++cursor.pos;
    } else if (TextCursor::isIdStart(c)) {
      llvm::StringRef word = cursor.lexIdentifier();
      for (const UncheckedArrayKeyword &entry : kUncheckedArrayKeywords)
        if (word == entry.op)
          if (std::optional<InputProblem> problem =
                  checkArrayAfterOp(cursor, entry))
            return problem;
    } else if (llvm::isDigit(c)) {
      // A number's letters (0x1f, 1e5) are not an identifier.
      while (!cursor.atEnd() && TextCursor::isIdChar(cursor.peek()))
        ++cursor.pos;
    } else {
      ++cursor.pos;
    }
  }
  return std::nullopt;
}

std::optional<quweit::InputProblem>
quweit::checkTextInput(llvm::StringRef buffer, unsigned maxDepth) {
  if (std::optional<InputProblem> problem = checkTextNesting(buffer, maxDepth))
    return problem;
  return checkUnsafeSyntax(buffer);
}

/// Bytes one static shape describes (zero dimensions counted as one, since
/// strides are computed from the others), or nullopt past kMaxStaticBytes.
static std::optional<int64_t> staticBytes(ShapedType type) {
  int64_t bytes = 1;
  Type element = type.getElementType();
  if (element.isIntOrIndexOrFloat()) {
    unsigned bits = element.isIndex() ? 64 : element.getIntOrFloatBitWidth();
    bytes = std::max<int64_t>(1, (bits + 7) / 8);
  }
  for (int64_t dim : type.getShape()) {
    if (ShapedType::isDynamic(dim))
      continue;
    // A zero dimension does not make the strides of the others small.
    if (llvm::MulOverflow(bytes, std::max<int64_t>(dim, 1), bytes) ||
        bytes > quweit::kMaxStaticBytes)
      return std::nullopt;
  }
  return bytes;
}

LogicalResult quweit::checkRegionDepth(ModuleOp module, unsigned maxDepth) {
  // Iterative on purpose: recursion is what a deep module would break.
  SmallVector<std::pair<Operation *, unsigned>> stack{{module, 0}};
  while (!stack.empty()) {
    auto [op, depth] = stack.pop_back_val();
    if (depth > maxDepth)
      // Not op->emitError: its note would print the op, regions and all.
      return emitError(op->getLoc()) << "regions nested deeper than " << maxDepth
                             << " levels; refusing the model (printing and "
                                "walking it would overflow the stack)";
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (Operation &inner : block)
          stack.push_back({&inner, depth + 1});
  }
  return success();
}

LogicalResult quweit::checkShapeSizes(ModuleOp module) {
  if (failed(checkRegionDepth(module)))
    return failure();
  auto checkType = [](Operation *op, Type root) -> LogicalResult {
    Type offender;
    root.walk([&](ShapedType type) {
      if (!offender && type.hasRank() && !staticBytes(type))
        offender = type;
    });
    if (!offender)
      return success();
    return op->emitError() << "type " << offender
                           << " describes more than 2^48 bytes; shapes this "
                              "large would overflow size arithmetic";
  };
  WalkResult result = module->walk([&](Operation *op) {
    for (Type type : op->getResultTypes())
      if (failed(checkType(op, type)))
        return WalkResult::interrupt();
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (Type type : block.getArgumentTypes())
          if (failed(checkType(op, type)))
            return WalkResult::interrupt();
    bool bad = false;
    auto visitType = [&](Type type) {
      if (!bad && failed(checkType(op, type)))
        bad = true;
    };
    // The walk does not visit the self type of a typed attribute (a dense
    // constant's shape): look at it explicitly.
    auto visitAttr = [&](Attribute attr) {
      if (auto typed = dyn_cast<TypedAttr>(attr))
        visitType(typed.getType());
    };
    op->getRawDictionaryAttrs().walk(visitType, visitAttr);
    if (Attribute props = op->getPropertiesAsAttribute())
      props.walk(visitType, visitAttr);
    return bad ? WalkResult::interrupt() : WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

LogicalResult quweit::checkNesting(llvm::SourceMgr &sourceMgr,
                                  MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  std::optional<InputProblem> problem = checkTextInput(buffer->getBuffer());
  if (!problem)
    return success();
  auto [line, column] = sourceMgr.getLineAndColumn(
      llvm::SMLoc::getFromPointer(buffer->getBufferStart() + problem->offset));
  emitError(FileLineColLoc::get(context, buffer->getBufferIdentifier(), line,
                                column))
      << problem->message;
  return failure();
}

unsigned quweit::bytecodeReadSeconds(size_t bytes) {
  // Reading (and printing) runs at well over 10 MB/s, even under ASan.
  return 5 + unsigned(std::min<size_t>(bytes >> 20, 1u << 20));
}

FailureOr<std::string> quweit::bytecodeToText(llvm::StringRef buffer,
                                              llvm::StringRef name,
                                              MLIRContext *context,
                                              std::string &problem,
                                              unsigned seconds) {
  if (seconds == 0)
    seconds = bytecodeReadSeconds(buffer.size());
  int fds[2];
  if (pipe(fds) != 0) {
    problem = "cannot create a pipe to read the bytecode";
    return failure();
  }
  pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    problem = "cannot fork a process to read the bytecode";
    return failure();
  }
  if (child == 0) {
    // The child reads the bytes in a context of its own, bounded in time
    // and (outside ASan builds, whose shadow memory needs the address
    // space) in memory, and prints the module as text with its locations.
    close(fds[0]);
    // Default actions: no crash report (the parent reports), and SIGALRM
    // must kill even where the parent handles it (libFuzzer does, for its
    // own timeouts: the fuzz-parse replay of a slow file never ended).
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM})
      std::signal(sig, SIG_DFL);
    alarm(seconds);
#if !defined(__has_feature) || !__has_feature(address_sanitizer)
    rlim_t bytes = std::max<rlim_t>(rlim_t(4) << 30, rlim_t(buffer.size()) * 64);
    struct rlimit limit = {bytes, bytes};
    setrlimit(RLIMIT_AS, &limit);
#endif
    MLIRContext reader(context->getDialectRegistry(),
                       MLIRContext::Threading::DISABLED);
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBuffer(buffer, name, false), llvm::SMLoc());
    SourceMgrDiagnosticHandler diagnostics(sourceMgr, &reader);
    OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &reader);
    if (!module)
      _exit(1);
    if (failed(checkRegionDepth(*module)))
      _exit(1); // printing would recurse that deep
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os, OpPrintingFlags().enableDebugInfo());
    for (size_t done = 0; done < text.size();) {
      ssize_t n = write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0)
        _exit(2);
      done += n;
    }
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char chunk[1 << 16];
  for (;;) {
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    text.append(chunk, n);
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return text;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
    problem = ""; // rejected; the child printed located diagnostics
  else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    problem = "the bytecode reader did not finish within " +
              std::to_string(seconds) + " s; the file is corrupt";
  else
    problem = "the bytecode reader crashed or ran out of memory on this "
              "file; it is corrupt";
  return failure();
}

OwningOpRef<ModuleOp> quweit::parseCheckedModel(llvm::SourceMgr &sourceMgr,
                                                MLIRContext *context) {
  if (failed(checkNesting(sourceMgr, context)))
    return {};
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  if (buffer->getBuffer().starts_with("ML\xEFR")) {
    // MLIR's bytecode reader never sees untrusted bytes in this process.
    std::string problem;
    FailureOr<std::string> text =
        bytecodeToText(buffer->getBuffer(), buffer->getBufferIdentifier(),
                       context, problem);
    if (failed(text)) {
      if (!problem.empty())
        emitError(FileLineColLoc::get(context, buffer->getBufferIdentifier(),
                                      0, 0))
            << problem;
      return {};
    }
    llvm::SourceMgr textMgr;
    textMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(*text, buffer->getBufferIdentifier()),
        llvm::SMLoc());
    if (failed(checkNesting(textMgr, context)))
      return {};
    OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(textMgr, context);
    if (module && failed(checkShapeSizes(*module)))
      return {};
    return module;
  }
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, context);
  if (module && failed(checkShapeSizes(*module)))
    return {};
  return module;
}

namespace {
struct CheckShapeSizesPass
    : PassWrapper<CheckShapeSizesPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CheckShapeSizesPass)
  StringRef getArgument() const override { return "quweit-check-shape-sizes"; }
  StringRef getDescription() const override {
    return "Refuse shapes of more than 2^48 bytes";
  }
  void runOnOperation() override {
    if (failed(quweit::checkShapeSizes(getOperation())))
      signalPassFailure();
  }
};
} // namespace

std::unique_ptr<Pass> quweit::createCheckShapeSizesPass() {
  return std::make_unique<CheckShapeSizesPass>();
}
