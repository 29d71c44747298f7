package dev.pitstop.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitstop.db.SqlStatements.EnumValue;
import dev.pitstop.db.SqlStatements.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {
  @Test
  void semicolonsInBodiesStringsIdentifiersAndCommentsDoNotEndAStatement() {
    List<Statement> statements =
        SqlStatements.parse(
            "-- a comment; still a comment\n"
                + "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\n"
                + "BEGIN RETURN 1; END;\n"
                + "$body$;\n"
                + "/* a block; /* nested; */ comment */\n"
                + "INSERT INTO \"odd;name\" VALUES ('a;b', E'it\\'s; fine', $$x;y$$);\n"
                + "SELECT 1");

    assertThat(statements).hasSize(3);
    assertThat(statements.get(0).text()).startsWith("CREATE FUNCTION").endsWith("$body$");
    assertThat(statements.get(0).bodies()).containsExactly("\nBEGIN RETURN 1; END;\n");
    assertThat(statements.get(1).text()).startsWith("INSERT INTO \"odd;name\"");
    assertThat(statements.get(1).literals()).containsExactly("a;b", "it's; fine");
    assertThat(statements.get(2).text()).isEqualTo("SELECT 1");
  }

  @Test
  void anAddedEnumValueIsRecognisedWithItsType() {
    Statement added =
        SqlStatements.parse("ALTER TYPE app.\"Order Status\" ADD VALUE IF NOT EXISTS 'refunded'")
            .get(0);
    Statement renamed =
        SqlStatements.parse("ALTER TYPE order_status RENAME VALUE 'paid' TO 'settled'").get(0);

    assertThat(SqlStatements.addedEnumValue(added))
        .contains(new EnumValue("app.\"Order Status\"", "refunded"));
    assertThat(SqlStatements.addedEnumValue(renamed)).isEmpty();
  }

  @Test
  void aValueIsUsedByLiteralsAndDoBlocksButNotByAFunctionBody() {
    String function =
        "CREATE FUNCTION refund() RETURNS void LANGUAGE sql AS $$"
            + " UPDATE orders SET status = 'refunded' $$";
    String doBlock = "DO $$BEGIN UPDATE orders SET status = 'refunded'; END$$";
    String update = "UPDATE orders SET status = 'refunded' WHERE status = 'cancelled'";

    assertThat(SqlStatements.parse(function).get(0).uses("refunded")).isFalse();
    assertThat(SqlStatements.parse(doBlock).get(0).uses("refunded")).isTrue();
    assertThat(SqlStatements.parse(update).get(0).uses("refunded")).isTrue();
    assertThat(SqlStatements.parse("-- 'refunded'\nSELECT 1").get(0).uses("refunded")).isFalse();
  }

  @Test
  void theIndexAConcurrentBuildMakesIsNamedAsPostgresqlStoresIt() {
    assertThat(
            SqlStatements.concurrentIndex(
                SqlStatements.parse(
                        "create unique index concurrently if not exists Orders_Ref on orders (r)")
                    .get(0)))
        .contains("orders_ref");
    assertThat(
            SqlStatements.concurrentIndex(
                SqlStatements.parse("CREATE INDEX CONCURRENTLY \"Orders Ref\" ON orders (r)")
                    .get(0)))
        .contains("Orders Ref");
    Statement unnamed = SqlStatements.parse("CREATE INDEX CONCURRENTLY ON orders (r)").get(0);
    assertThat(SqlStatements.concurrentIndex(unnamed)).isEmpty();
    assertThat(SqlStatements.buildsIndexConcurrently(unnamed)).isTrue();
    assertThat(
            SqlStatements.buildsIndexConcurrently(
                SqlStatements.parse("CREATE INDEX orders_ref ON orders (r)").get(0)))
        .isFalse();
  }
}
