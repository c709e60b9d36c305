#include "common/metrics.h"

namespace sidecar {

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, std::string_view help,
                                                 bool is_counter) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{}).first;
    it->second.help = std::string(help);
    it->second.is_counter = is_counter;
  }
  return it->second;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  std::string_view labels) {
  auto& slot = family(name, help, true).counters[std::string(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help,
                              std::string_view labels) {
  auto& slot = family(name, help, false).gauges[std::string(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

std::string MetricsRegistry::renderPrometheus() const {
  std::string out;
  for (const auto& [name, fam] : families_) {
    out += "# HELP " + name + " " + fam.help + "\n";
    out += "# TYPE " + name + (fam.is_counter ? " counter\n" : " gauge\n");
    auto line = [&](const std::string& labels, const std::string& value) {
      out += name;
      if (!labels.empty()) out += "{" + labels + "}";
      out += " " + value + "\n";
    };
    for (const auto& [labels, c] : fam.counters) line(labels, std::to_string(c->value()));
    for (const auto& [labels, g] : fam.gauges) line(labels, std::to_string(g->value()));
  }
  return out;
}

}  // namespace sidecar
