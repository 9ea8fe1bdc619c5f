#include <lockstep/core/error.hpp>
#include <lockstep/hw/placement.hpp>
#include <lockstep/hw/topology.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>

namespace lockstep::hw {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_text(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r' || s.back() == '\t'))
    s.pop_back();
  return s;
}

template <class Int>
std::optional<Int> parse_int(std::string_view s) {
  Int v{};
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

template <class Int>
std::optional<Int> read_int(const fs::path& p) {
  const std::optional<std::string> s = read_text(p);
  if (!s) return std::nullopt;
  return parse_int<Int>(*s);
}

// isolcpus=[flag,...,]cpu-list : flags are words (domain, managed_irq, nohz), the rest a list.
std::vector<std::uint32_t> isolcpus_from_cmdline(const std::string& cmdline) {
  std::istringstream words(cmdline);
  std::string w;
  std::vector<std::uint32_t> out;
  while (words >> w) {
    constexpr std::string_view kKey = "isolcpus=";
    if (w.compare(0, kKey.size(), kKey) != 0) continue;
    std::string list;
    std::istringstream parts(w.substr(kKey.size()));
    std::string part;
    while (std::getline(parts, part, ',')) {
      if (!part.empty() && part[0] >= '0' && part[0] <= '9') {
        if (!list.empty()) list += ',';
        list += part;
      }
    }
    if (const auto cpus = parse_cpu_list(list)) out.insert(out.end(), cpus->begin(), cpus->end());
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::uint32_t>> parse_cpu_list(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  std::vector<std::uint32_t> out;
  if (text.empty()) return out;
  constexpr std::uint32_t kLimit = 1U << 16U;  // no machine has more; bounds a garbage range
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view item = text.substr(pos, comma - pos);
    const std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      const auto v = parse_int<std::uint32_t>(item);
      if (!v || *v >= kLimit) return std::nullopt;
      out.push_back(*v);
    } else {
      const auto lo = parse_int<std::uint32_t>(item.substr(0, dash));
      const auto hi = parse_int<std::uint32_t>(item.substr(dash + 1));
      if (!lo || !hi || *lo > *hi || *hi >= kLimit) return std::nullopt;
      for (std::uint32_t c = *lo; c <= *hi; ++c) out.push_back(c);
    }
    pos = comma + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Topology Topology::read(const TopologyConfig& config) {
  std::vector<std::uint32_t> ids;
  std::error_code ec;
  fs::directory_iterator it(config.sysfs_root, ec);
  if (ec) raise("Topology: cannot read '" + config.sysfs_root.string() + "': " + ec.message());
  for (const fs::directory_entry& e : it) {
    const std::string name = e.path().filename().string();
    if (name.size() > 3 && name.compare(0, 3, "cpu") == 0) {
      if (const auto id = parse_int<std::uint32_t>(std::string_view(name).substr(3))) ids.push_back(*id);
    }
  }
  if (ids.empty()) raise("Topology: no cpuN directory under '" + config.sysfs_root.string() + "'");
  std::sort(ids.begin(), ids.end());

  const std::vector<std::uint32_t> allowed = config.allowed ? *config.allowed : hw::allowed_cores();
  std::set<std::uint32_t> isolated;
  if (const auto s = read_text(config.sysfs_root / "isolated")) {
    if (const auto l = parse_cpu_list(*s)) isolated.insert(l->begin(), l->end());
  }
  if (!config.cmdline.empty()) {
    if (const auto s = read_text(config.cmdline)) {
      const std::vector<std::uint32_t> l = isolcpus_from_cmdline(*s);
      isolated.insert(l.begin(), l.end());
    }
  }
  std::optional<std::vector<std::uint32_t>> online_list;
  if (const auto s = read_text(config.sysfs_root / "online")) online_list = parse_cpu_list(*s);

  Topology t;
  for (const std::uint32_t id : ids) {
    const fs::path dir = config.sysfs_root / ("cpu" + std::to_string(id));
    CpuInfo c;
    c.cpu = id;
    if (const auto o = read_int<std::int32_t>(dir / "online")) {
      c.online = *o != 0;
    } else if (online_list) {
      c.online = std::binary_search(online_list->begin(), online_list->end(), id);
    }
    c.allowed = std::find(allowed.begin(), allowed.end(), id) != allowed.end();
    c.isolated = isolated.count(id) != 0U;
    const fs::path topo = dir / "topology";
    c.package = read_int<std::int32_t>(topo / "physical_package_id").value_or(-1);
    c.cluster = read_int<std::int32_t>(topo / "cluster_id").value_or(-1);
    c.core = read_int<std::int32_t>(topo / "core_id").value_or(-1);
    c.capacity = read_int<std::uint32_t>(dir / "cpu_capacity").value_or(0);
    std::optional<std::string> sib = read_text(topo / "thread_siblings_list");
    if (!sib) sib = read_text(topo / "core_cpus_list");
    if (sib) {
      if (auto l = parse_cpu_list(*sib)) c.siblings = std::move(*l);
    }
    if (std::find(c.siblings.begin(), c.siblings.end(), id) == c.siblings.end()) {
      c.siblings.push_back(id);
      std::sort(c.siblings.begin(), c.siblings.end());
    }
    t.m_cpus.push_back(std::move(c));
  }
  return t;
}

const CpuInfo* Topology::find(std::uint32_t cpu) const noexcept {
  for (const CpuInfo& c : m_cpus) {
    if (c.cpu == cpu) return &c;
  }
  return nullptr;
}

std::vector<std::uint32_t> Topology::allowed_cores() const {
  std::vector<std::uint32_t> out;
  for (const CpuInfo& c : m_cpus) {
    if (c.allowed && c.online) out.push_back(c.cpu);
  }
  return out;
}

std::vector<std::uint32_t> Topology::isolated_cores() const {
  std::vector<std::uint32_t> out;
  for (const CpuInfo& c : m_cpus) {
    if (c.isolated) out.push_back(c.cpu);
  }
  return out;
}

std::vector<std::int32_t> Topology::packages() const {
  std::set<std::int32_t> s;
  for (const CpuInfo& c : m_cpus) s.insert(c.package);
  return {s.begin(), s.end()};
}

std::vector<CpuCluster> Topology::clusters() const {
  std::map<std::pair<std::int32_t, std::int32_t>, CpuCluster> groups;
  for (const CpuInfo& c : m_cpus) {
    CpuCluster& g = groups[{c.package, c.cluster}];
    g.package = c.package;
    g.cluster = c.cluster;
    g.capacity = std::max(g.capacity, c.capacity);
    g.cpus.push_back(c.cpu);
  }
  std::vector<CpuCluster> out;
  out.reserve(groups.size());
  for (auto& [key, g] : groups) out.push_back(std::move(g));
  return out;
}

std::vector<std::uint32_t> Topology::smt_siblings(std::uint32_t cpu) const {
  const CpuInfo* c = find(cpu);
  return c != nullptr ? c->siblings : std::vector<std::uint32_t>{};
}

std::vector<std::uint32_t> Topology::pick_replica_cores(std::uint32_t n) const {
  std::vector<const CpuInfo*> candidates;
  for (const CpuInfo& c : m_cpus) {
    if (c.allowed && c.online) candidates.push_back(&c);
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const CpuInfo* a, const CpuInfo* b) {
    if (a->isolated != b->isolated) return a->isolated;
    if (a->capacity != b->capacity) return a->capacity > b->capacity;
    return a->cpu < b->cpu;
  });
  std::vector<std::uint32_t> picked;
  std::set<std::uint32_t> taken;  // every sibling of a picked cpu
  for (const CpuInfo* c : candidates) {
    if (picked.size() >= n) break;
    if (taken.count(c->cpu) != 0U) continue;
    picked.push_back(c->cpu);
    taken.insert(c->siblings.begin(), c->siblings.end());
  }
  return picked;
}

}  // namespace lockstep::hw
