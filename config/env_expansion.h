#pragma once
// ${NAME} and ${NAME:-default} expansion inside configuration values, so one
// committed file serves every environment and secrets stay out of it.
// The environment is injected (EnvLookup) so that tests and the loader never
// depend on the real process environment unless main asks for it.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sidecar::config {

// Returns the variable's value, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The real process environment (getenv). Only main should use it.
EnvLookup processEnvironment();

// Expands every ${NAME} / ${NAME:-default} in text. Like the shell, ":-" also
// replaces a variable that is set but empty. A default is literal text up to
// the first '}' (no nesting); the result is not expanded again. A '$' not
// followed by '{' is kept as is. Errors: an unset variable without a default
// (all of them are named in one message), an unterminated "${", a bad name.
// A null env means no variable is set.
Result<std::string> expandEnv(std::string_view text, const EnvLookup& env);

}  // namespace sidecar::config
