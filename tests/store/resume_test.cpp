// The next run starts after the last success: pending and retryable
// clients only, in a stable order, never a done one again.

#include <algorithm>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "store_test_support.h"

namespace boletos::store {
namespace {

using testing::Ids;
using testing::Import;
using testing::MakeDownload;
using testing::OpenStore;
using testing::TempDir;

constexpr int kMaxAttempts = 3;
const std::string kPeriod = "2026-12";

std::vector<std::string> AllWork(Store& store, const std::string& period = kPeriod, int page = 2) {
  std::vector<std::string> ids;
  std::string after;
  while (true) {
    auto next = store.NextWork(period, after, page, kMaxAttempts);
    EXPECT_TRUE(next.ok()) << next.message();
    if (!next.ok() || next->empty()) return ids;
    for (const auto& id : Ids(*next)) ids.push_back(id);
    after = ids.back();
  }
}

struct StoreWithRun {
  TempDir dir;
  std::unique_ptr<Store> store = OpenStore(dir);
  int64_t run = 0;
  StoreWithRun(const std::vector<std::string>& ids) {
    Import(*store, ids);
    auto r = store->BeginRun(kPeriod, 42, "host");
    EXPECT_TRUE(r.ok()) << r.message();
    run = *r;
  }
};

TEST(Resume, NextWorkSkipsDoneAndFailedClients) {
  StoreWithRun s({"a", "b", "c", "d", "e"});
  ASSERT_TRUE(s.store->RecordSuccess(kPeriod, "b", s.run, 1, MakeDownload("2026-12/b.pdf")).ok());
  ASSERT_TRUE(s.store->RecordFailure(kPeriod, "c", s.run, 3, "timeout", /*gave_up=*/true).ok());
  ASSERT_TRUE(s.store->RecordFailure(kPeriod, "d", s.run, 1, "timeout", /*gave_up=*/false).ok());

  EXPECT_EQ(AllWork(*s.store), (std::vector<std::string>{"a", "d", "e"}));
  auto count = s.store->CountWork(kPeriod, kMaxAttempts);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3);
}

TEST(Resume, WorkItemsSayWhereEachClientStands) {
  StoreWithRun s({"a", "d"});
  ASSERT_TRUE(s.store->RecordFailure(kPeriod, "d", s.run, 2, "timeout", false).ok());
  auto next = s.store->NextWork(kPeriod, "", 10, kMaxAttempts);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 2u);
  EXPECT_EQ((*next)[0].status, JobStatus::kPending);
  EXPECT_EQ((*next)[0].attempts, 0);
  EXPECT_EQ((*next)[1].status, JobStatus::kRetrying);
  EXPECT_EQ((*next)[1].attempts, 2);
}

TEST(Resume, RetryingClientWithoutAttemptsLeftIsNotTaken) {
  StoreWithRun s({"a", "b"});
  ASSERT_TRUE(s.store->RecordFailure(kPeriod, "a", s.run, kMaxAttempts, "x", /*gave_up=*/false).ok());
  EXPECT_EQ(AllWork(*s.store), (std::vector<std::string>{"b"}));
}

TEST(Resume, ADoneClientIsNeverDownloadedAgain) {
  StoreWithRun s({"a"});
  ASSERT_TRUE(s.store->RecordSuccess(kPeriod, "a", s.run, 1, MakeDownload("2026-12/a.pdf")).ok());
  // A late failure report (e.g. a tab that timed out after the save) must not undo it.
  ASSERT_TRUE(s.store->RecordFailure(kPeriod, "a", s.run, 2, "late", true).ok());
  auto reset = s.store->ResetFailed(kPeriod);
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(*reset, 0);
  EXPECT_TRUE(AllWork(*s.store).empty());
}

TEST(Resume, StatusIsPerPeriod) {
  StoreWithRun s({"a", "b"});
  ASSERT_TRUE(s.store->RecordSuccess(kPeriod, "a", s.run, 1, MakeDownload("2026-12/a.pdf")).ok());
  EXPECT_EQ(AllWork(*s.store, kPeriod), (std::vector<std::string>{"b"}));
  EXPECT_EQ(AllWork(*s.store, "2027-01"), (std::vector<std::string>{"a", "b"}));
}

TEST(Resume, NextWorkStartsAfterTheGivenIdInByteOrder) {
  StoreWithRun s({"b", "B", "10", "9", "a", "\xC3\xA9"});
  EXPECT_EQ(AllWork(*s.store), (std::vector<std::string>{"10", "9", "B", "a", "b", "\xC3\xA9"}));
  auto next = s.store->NextWork(kPeriod, "B", 2, kMaxAttempts);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Ids(*next), (std::vector<std::string>{"a", "b"}));
}

TEST(Resume, PagesOverTenThousandClientsInStableOrder) {
  TempDir dir;
  auto store = OpenStore(dir);
  std::vector<Client> clients;
  for (int i = 0; i < 10000; ++i) clients.push_back(testing::MakeClient("c" + std::to_string(i)));
  std::shuffle(clients.begin(), clients.end(), std::mt19937(7));
  ASSERT_TRUE(store->ImportClients(clients).ok());
  auto run = store->BeginRun(kPeriod, 1, "h");
  ASSERT_TRUE(run.ok());
  // Every 7th client is done already; the pages must step over them.
  for (int i = 0; i < 10000; i += 7) {
    ASSERT_TRUE(store->RecordSuccess(kPeriod, "c" + std::to_string(i), *run, 1, MakeDownload("f" + std::to_string(i))).ok());
  }

  std::vector<std::string> seen = AllWork(*store, kPeriod, 100);
  EXPECT_EQ(seen.size(), 10000u - 1429u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
  EXPECT_EQ(seen, AllWork(*store, kPeriod, 100));  // the same again: stable
  auto count = store->CountWork(kPeriod, kMaxAttempts);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, static_cast<int>(seen.size()));
}

TEST(Resume, ResetFailedPutsFailedAndRetryingBackToPending) {
  StoreWithRun s({"a", "b", "c", "d"});
  ASSERT_TRUE(s.store->RecordFailure(kPeriod, "a", s.run, 3, "portal said no", true).ok());
  ASSERT_TRUE(s.store->RecordFailure(kPeriod, "b", s.run, 1, "timeout", false).ok());
  ASSERT_TRUE(s.store->RecordSuccess(kPeriod, "c", s.run, 1, MakeDownload("2026-12/c.pdf")).ok());
  ASSERT_TRUE(s.store->RecordFailure("2027-01", "d", s.run, 3, "other period", true).ok());

  auto reset = s.store->ResetFailed(kPeriod);
  ASSERT_TRUE(reset.ok()) << reset.message();
  EXPECT_EQ(*reset, 2);

  auto next = s.store->NextWork(kPeriod, "", 10, kMaxAttempts);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Ids(*next), (std::vector<std::string>{"a", "b", "d"}));
  for (const WorkItem& item : *next) {
    EXPECT_EQ(item.status, JobStatus::kPending) << item.client.id;
    EXPECT_EQ(item.attempts, 0) << item.client.id;
  }
  EXPECT_EQ(AllWork(*s.store, "2027-01"), (std::vector<std::string>{"a", "b", "c"}));  // d stays failed there
}

TEST(Resume, DoneRowsSurviveReopening) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    Import(*store, {"a", "b"});
    auto run = store->BeginRun(kPeriod, 1, "h");
    ASSERT_TRUE(run.ok());
    ASSERT_TRUE(store->RecordSuccess(kPeriod, "a", *run, 1, MakeDownload("2026-12/a.pdf")).ok());
  }
  auto store = OpenStore(dir);
  EXPECT_EQ(AllWork(*store), (std::vector<std::string>{"b"}));
}

TEST(Resume, RecordingForAnUnknownClientOrRunIsNotFound) {
  StoreWithRun s({"a"});
  Status unknown_client = s.store->RecordSuccess(kPeriod, "zz", s.run, 1, MakeDownload("x.pdf"));
  EXPECT_EQ(unknown_client.kind(), ErrorKind::kNotFound);
  EXPECT_NE(unknown_client.message().find("client zz"), std::string::npos) << unknown_client.message();
  auto unknown_run = s.store->RecordFailure(kPeriod, "a", s.run + 100, 1, "x", false);
  EXPECT_EQ(unknown_run.kind(), ErrorKind::kNotFound);
  EXPECT_EQ(AllWork(*s.store), (std::vector<std::string>{"a"}));
}

TEST(Resume, FileOwnerNamesTheDoneClientThatHasTheFile) {
  StoreWithRun s({"a", "b"});
  ASSERT_TRUE(s.store->RecordSuccess(kPeriod, "a", s.run, 1, MakeDownload("2026-12/Ana.pdf")).ok());
  auto owner = s.store->FileOwner(kPeriod, "2026-12/Ana.pdf");
  ASSERT_TRUE(owner.ok()) << owner.message();
  EXPECT_EQ(*owner, "a");
  auto none = s.store->FileOwner(kPeriod, "2026-12/Bruno.pdf");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "");
  EXPECT_EQ(*s.store->FileOwner("2027-01", "2026-12/Ana.pdf"), "");
}

}  // namespace
}  // namespace boletos::store
