// stella vex gen --from-drift BASELINE CURRENT: an OpenVEX v0.2.0 document
// with one statement per drifted facet, naming the current image as product,
// for a person to review and justify.
//
// Exit codes: 0 written, 1 an error, 64 bad command line.
#include <iostream>
#include <set>
#include <string>
#include <string_view>

#include "../args.hpp"
#include "../cli_io.hpp"
#include "../commands.hpp"
#include "../drift_input.hpp"
#include "facet/names.hpp"
#include "facet/vex.hpp"

namespace zastava::cli {
namespace {

constexpr std::string_view kVexUsage =
    "usage: stella vex gen --from-drift BASELINE CURRENT [--status STATUS] [--author NAME]\n"
    "                      [--image-name NAME] [--output FILE] [--facets-file DEFS.yaml]\n"
    "                      [--pub KEY.pub.pem ...] [--justification LABEL]\n"
    "                      [--impact-statement TEXT] [--action-statement TEXT]\n"
    "  BASELINE and CURRENT as for `stella drift` (images or seals files).\n"
    "  --status      not_affected|affected|fixed|under_investigation\n"
    "                (default under_investigation)\n"
    "  --author      the document's author (default stella)\n"
    "  --image-name  the current image's name for the product purl (default: the\n"
    "                seals file's imageRef, or the image's own docker-archive/OCI tag)\n"
    "  --output      write the document here (default: stdout)\n"
    "  not_affected needs --justification (component_not_present,\n"
    "  vulnerable_code_not_present, vulnerable_code_not_in_execute_path,\n"
    "  vulnerable_code_cannot_be_controlled_by_adversary,\n"
    "  inline_mitigations_already_exist) or --impact-statement: a person's call;\n"
    "  affected takes an --action-statement (default: review and re-seal or rebuild)\n";

int usage_error(std::string_view problem) {
  std::cerr << "stella vex: " << problem << "\n\n" << kVexUsage;
  return kExitUsage;
}

int failure(std::string_view problem) {
  std::cerr << "stella vex gen: " << problem << "\n";
  return kExitFailure;
}

bool is_vex_status(const std::string& status) {
  static const std::set<std::string> kStatuses = {"not_affected", "affected", "fixed",
                                                  "under_investigation"};
  return kStatuses.contains(status);
}

// A CLI image spec ("oci:...", "docker-archive:...") recorded as imageRef is
// a location, not a name: it cannot name a product.
bool is_image_spec(const std::string& name) {
  return name.starts_with("oci:") || name.starts_with("docker-archive:") ||
         name.starts_with("dir:");
}

int run_vex_gen(const Argv& argv) {
  auto args = Args::parse(
      argv, ArgSpec{{"from-drift", "status", "author", "image-name", "output", "facets-file", "pub",
                     "threshold", "justification", "impact-statement", "action-statement"},
                    {"help"}});
  if (!args) return usage_error(args.error().message);
  if (args->has("help")) {
    std::cout << kVexUsage;
    return kExitOk;
  }
  // --from-drift takes BASELINE; CURRENT is the one positional argument.
  const auto baseline = args->value("from-drift");
  if (!baseline || args->positional().size() != 1) {
    return usage_error("expected --from-drift BASELINE CURRENT");
  }
  const std::string status = args->value("status").value_or("under_investigation");
  if (!is_vex_status(status)) return usage_error("unknown --status '" + status + "'");

  auto request = make_drift_request(*args, *baseline, args->positional()[0]);
  if (!request) return usage_error(request.error().message);
  auto report = compute_drift_report(*request);
  if (!report) return failure(report.error().describe());

  const DriftSide& current = report->current;
  std::string name = args->value("image-name").value_or(current.image_name);
  if (name.empty() || is_image_spec(name)) {
    return failure("cannot name the product: " + current.spec +
                   " does not name itself; pass --image-name NAME");
  }
  if (current.image_digest.empty()) {
    return failure("cannot name the product: " + current.spec +
                   " has no image digest (a rootfs directory); compare images or seals of images");
  }
  auto purl = facet::oci_purl(name, current.image_digest);
  if (!purl) return failure(purl.error().with_context("product name '" + name + "'").describe());

  std::vector<facet::FacetDrift> drifts;
  for (const auto& facet : report->facets) drifts.push_back(facet.drift);
  facet::VexOptions options;
  options.product_purl = *purl;
  options.status = status;
  options.author = args->value("author").value_or("stella");
  options.timestamp = facet::format_time(now_seconds());
  options.justification = args->value("justification").value_or("");
  options.impact_statement = args->value("impact-statement").value_or("");
  options.action_statement = args->value("action-statement").value_or("");
  auto document = facet::vex_from_drift(drifts, options);
  if (!document) return failure(document.error().describe());

  if (const auto output = args->value("output")) {
    if (Status written = write_file_atomically(*output, *document + "\n"); !written) {
      return failure(written.error().describe());
    }
    std::cerr << "stella vex gen: wrote " << *output << " for " << *purl << "\n";
  } else {
    std::cout << *document << "\n";
  }
  return kExitOk;
}

}  // namespace

int run_vex(const Argv& argv) {
  if (argv.empty()) return usage_error("expected 'gen'");
  if (argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
    std::cout << kVexUsage;
    return kExitOk;
  }
  if (argv[0] != "gen") return usage_error("unknown subcommand '" + argv[0] + "'");
  return run_vex_gen(Argv(argv.begin() + 1, argv.end()));
}

}  // namespace zastava::cli
