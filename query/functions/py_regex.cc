#include "query/functions/py_regex.h"

#include "core/regex_substitution.h"

namespace meridian::query::functions {

core::Result<PyRegex> PyRegex::Compile(std::string_view pattern) {
  ASSIGN_OR_RETURN(core::Regex regex, core::Regex::Compile(pattern));
  return PyRegex(std::move(regex));
}

bool PyRegex::Search(std::string_view text) const { return regex_.PartialMatch(text); }

core::Result<std::string> PyRegex::Sub(std::string_view repl, std::string_view text,
                                       const core::Deadline& deadline) const {
  ASSIGN_OR_RETURN(auto substitution, core::RegexSubstitution::Compile(regex_, repl));
  return substitution.Apply(text, deadline);
}

}  // namespace meridian::query::functions
