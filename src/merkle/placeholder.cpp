// PLACEHOLDER: the merkle module's sources replace this file.
namespace zastava::merkle {}
