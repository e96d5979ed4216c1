# The job-starting addon (native/spawn.c), the stat check (native/stat-check.c)
# and the content digest (native/digest.c), built by scripts/build-native.mjs
# at install; kept out of the package root so that npm never runs node-gyp on
# its own (a failure there would fail the install).
{
  "targets": [
    {
      "target_name": "runner_spawn",
      "sources": ["spawn.c", "stat-check.c", "digest.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-ffp-contract=off", "-pthread"],
      "ldflags": ["-pthread"],
      "libraries": ["-ldl"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
