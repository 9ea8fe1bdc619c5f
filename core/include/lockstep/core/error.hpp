#pragma once
// The one exception type of Lockstep. Thrown only for set-up and configuration errors
// (constructors, config parsing, opening devices); hot paths never throw, they return
// [[nodiscard]] status or result types instead.

#include <stdexcept>
#include <string>

namespace lockstep {

/// Set-up or configuration error with a specific, human-readable message.
/// Thread safety: immutable after construction.
/// On failure: n/a (this *is* the failure report).
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

/// The single throw site of the library: keeps every throw greppable and lets a build with
/// exceptions disabled replace it in one place.
[[noreturn]] inline void raise(const std::string& what) { throw Error(what); }

}  // namespace lockstep
