#pragma once
// Number serialization as ECMAScript's Number.prototype.toString does it
// (ECMA-262, Number::toString), which RFC 8785 section 3.2.2.3 adopts: the
// shortest digits that read back as the same double, written in plain form
// for magnitudes in [1e-7, 1e21) and in exponent form ("1e+21", "1e-7")
// outside it.

#include <string>

namespace zastava::json {

// Appends the ECMAScript form of `value` to `out`. Both zeros give "0".
// Precondition: std::isfinite(value) (JSON has no NaN or Infinity; callers
// reject those before getting here).
void append_ecmascript_number(double value, std::string& out);

}  // namespace zastava::json
