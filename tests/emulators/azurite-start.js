// Azurite (Blob Storage and Storage Queues emulator) as the tests, the bench and
// ./run-azure-emulated.sh start it: Azurite's own command line, plus EMULATOR_EXIT_WITH_STDIN=1 to
// exit when the parent that piped stdin goes away (even if it crashed), so no emulator outlives a test run.
if (process.env.EMULATOR_EXIT_WITH_STDIN === "1") {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}
require("./node_modules/azurite/dist/src/azurite.js");
