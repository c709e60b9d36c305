#include <catch2/catch.hpp>

#include "cmd/text_table.h"

using namespace sidecar::cmd;

TEST_CASE("cells become one terminal-safe line") {
  CHECK(cellText("{\n  \"a\": 1,\n\t\"b\": 2\n}") == "{ \"a\": 1, \"b\": 2 }");
  CHECK(cellText("\x1b[31mred") == "[31mred");  // ESC cannot reach the terminal
  CHECK(cellText("  padded  ") == "padded");
  CHECK(cellText("") == "");
}

TEST_CASE("long cells are cut to their width on a UTF-8 boundary") {
  CHECK(cellText("abcdefghij", 10) == "abcdefghij");
  CHECK(cellText("abcdefghijk", 10) == "abcdefg...");
  CHECK(displayWidth(cellText(std::string(500, 'x'), 100)) == 100);
  // Five two-byte code points cut to four columns: one kept, never half of one.
  const std::string cut = cellText("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 4);
  CHECK(cut == "\xC3\xA9...");
  CHECK(displayWidth(cut) == 4);
}

TEST_CASE("columns are padded to the widest cell and lines have no trailing spaces") {
  const std::string table = formatTable({{"ID", "STATE", "N"}, {"abcdef", "ACTIVE", "5"},
                                         {"x", "CLOSED", ""}});
  CHECK(table ==
        "ID      STATE   N\n"
        "abcdef  ACTIVE  5\n"
        "x       CLOSED\n");
}

TEST_CASE("a cell wider than its fixed width pushes the row instead of being cut") {
  CHECK(formatRow({"123456789", "b"}, {4, 4}) == "123456789  b\n");
  CHECK(formatRow({"\xC3\xA9", "b"}, {3, 1}) == "\xC3\xA9    b\n");  // width counts code points
}
