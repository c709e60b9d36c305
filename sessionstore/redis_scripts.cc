#include "sessionstore/redis_scripts.h"

#include <memory>
#include <utility>

#include "sessionstore/hex_digest.h"

namespace sidecar::sessionstore {

RedisScripts::RedisScripts(RedisConnection& connection, MetricsRegistry& metrics)
    : connection_(connection),
      noscript_total_(metrics.counter("sidecar_redis_command_errors_total",
                                      "Redis commands that failed, by kind",
                                      R"(kind="noscript")")) {
  // Redis names a script by the SHA-1 of its text, so we know the names
  // without asking and EVALSHA never waits on SCRIPT LOAD's answer.
  for (size_t i = 0; i < kScriptCount; ++i) shas_[i] = sha1Hex(luaSource(static_cast<ScriptId>(i)));
}

std::vector<RedisArgv> RedisScripts::loadCommands() const {
  std::vector<RedisArgv> commands;
  commands.reserve(kScriptCount);
  for (size_t i = 0; i < kScriptCount; ++i) {
    commands.push_back({"SCRIPT", "LOAD", luaSource(static_cast<ScriptId>(i))});
  }
  return commands;
}

void RedisScripts::run(ScriptId id, std::vector<std::string> keys, std::vector<std::string> args,
                       ReplyCallback done) {
  // Kept until the answer: a NOSCRIPT resend needs the same arguments.
  auto argv = std::make_shared<RedisArgv>();
  argv->reserve(3 + keys.size() + args.size());
  argv->push_back("EVALSHA");
  argv->push_back(sha(id));
  argv->push_back(std::to_string(keys.size()));
  for (auto& key : keys) argv->push_back(std::move(key));
  for (auto& arg : args) argv->push_back(std::move(arg));

  connection_.send(*argv,
                   [this, id, argv, done = std::move(done)](Result<RedisReply> reply) mutable {
                     if (!reply.ok() || reply.value().errorCode() != "NOSCRIPT") {
                       done(std::move(reply));
                       return;
                     }
                     // `this` is safe here: replies are delivered through the connection's
                     // queue, and the connection dies before the scripts object does.
                     noscript_total_.inc();
                     (*argv)[0] = "EVAL";
                     (*argv)[1] = luaSource(id);
                     connection_.send(*argv, std::move(done));
                     for (const auto& load : loadCommands())
                       connection_.send(load, [](Result<RedisReply>) {});
                   });
}

}  // namespace sidecar::sessionstore
