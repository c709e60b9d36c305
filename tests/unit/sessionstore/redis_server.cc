#include "redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "redis_sync_client.h"

namespace sidecar::sessionstore::test {
namespace {

constexpr const char* kRedisServer = "/usr/bin/redis-server";

std::string makeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "sidecar-redis-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

}  // namespace

uint16_t RedisServer::freePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::abort();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::abort();
  }
  close(fd);
  return ntohs(addr.sin_port);
}

RedisServer::RedisServer(RedisServerOptions options)
    : options_(options), port_(options.port.value_or(freePort())), dir_(makeTempDir()) {
  start();
}

RedisServer::~RedisServer() {
  kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool RedisServer::start() {
  if (pid_ > 0) return true;
  const std::string port = std::to_string(port_);
  const std::string logfile = dir_ + "/redis.log";
  std::vector<std::string> args = {kRedisServer, "--port",      port,        "--bind", "127.0.0.1",
                                   "--dir",      dir_,          "--logfile", logfile,  "--save",
                                   "",           "--daemonize", "no"};
  if (options_.aof) {
    for (const char* a : {"--appendonly", "yes", "--appendfsync", "always"}) args.push_back(a);
  } else {
    args.push_back("--appendonly");
    args.push_back("no");
  }
  for (const auto& extra : options_.extra_args) args.push_back(extra);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    execv(kRedisServer, argv.data());
    _exit(127);
  }
  pid_ = pid;
  return waitForPing(5'000);
}

bool RedisServer::waitForPing(int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    RedisSyncClient client(port_);
    const std::string pass = password();
    if (client.ok() && !pass.empty()) (void)client.command({"AUTH", pass});
    // PONG, not -LOADING: an AOF being replayed is not ready yet.
    if (client.ok() && client.command({"PING"}) == "PONG") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string RedisServer::password() const {
  for (size_t i = 0; i + 1 < options_.extra_args.size(); ++i) {
    if (options_.extra_args[i] == "--requirepass") return options_.extra_args[i + 1];
  }
  return {};
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

}  // namespace sidecar::sessionstore::test
