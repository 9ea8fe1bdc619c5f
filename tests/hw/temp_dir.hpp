#pragma once
// A temporary directory removed at scope exit, and helpers to lay out sysfs-like trees.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace lockstep::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lockstep-hw-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return m_path; }

  /// Writes `content` to path()/rel, creating parent directories.
  void write(const std::string& rel, std::string_view content) const {
    const std::filesystem::path p = m_path / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::trunc);
    out << content;
  }

 private:
  std::filesystem::path m_path;
};

}  // namespace lockstep::test
