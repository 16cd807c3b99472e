// PLACEHOLDER: the dsse module's sources replace this file.
namespace zastava::dsse {}
