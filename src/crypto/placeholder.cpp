// PLACEHOLDER: the crypto module's sources replace this file.
namespace zastava::crypto {}
