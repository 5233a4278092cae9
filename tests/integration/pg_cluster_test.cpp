#include "pg_cluster.hpp"
#include "sandbox_dir.hpp"

#include <gtest/gtest.h>

#include <libpq-fe.h>
#include <memory>

namespace sluice::testing {
namespace {

using connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using result = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string one_value(PGconn* db, char const* sql) {
    result r(PQexec(db, sql), &PQclear);
    EXPECT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQerrorMessage(db);
    return PQntuples(r.get()) == 1 ? PQgetvalue(r.get(), 0, 0) : "";
}

// The server the PostgreSQL store's tests run on starts here, as root or not, and answers through libpq on
// its socket, with the collation and encoding the gate's ordering relies on.
TEST(PgCluster, StartsAnswersThroughLibpqAndStops) {
    sandbox_dir dir;
    std::string url;
    {
        pg_cluster cluster(dir.path());
        url = cluster.create_database("gate");
        connection db(PQconnectdb(url.c_str()), &PQfinish);
        ASSERT_EQ(PQstatus(db.get()), CONNECTION_OK) << PQerrorMessage(db.get()) << cluster.log();
        EXPECT_EQ(one_value(db.get(), "SELECT 1"), "1");
        EXPECT_GE(std::stoi(one_value(db.get(), "SHOW server_version_num")), 130000);
        EXPECT_EQ(one_value(db.get(), "SELECT datcollate FROM pg_database WHERE datname = 'gate'"), "C");
        EXPECT_EQ(one_value(db.get(), "SHOW server_encoding"), "UTF8");
        EXPECT_EQ(one_value(db.get(), "SHOW listen_addresses"), "");
    }
    // Stopped with the object: nobody answers there any more.
    connection gone(PQconnectdb(url.c_str()), &PQfinish);
    EXPECT_NE(PQstatus(gone.get()), CONNECTION_OK);
}

} // namespace
} // namespace sluice::testing
