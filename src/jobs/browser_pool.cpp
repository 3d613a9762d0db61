#include "jobs/browser_pool.h"

#include <spdlog/spdlog.h>

namespace boletos::jobs {

struct BrowserPool::Slot {
  std::unique_ptr<BrowserSlot> browser;
  int leased = 0;
  int succeeded = 0;
  bool dead = false;
};

BrowserPool::Lease::Lease(BrowserPool* pool, std::shared_ptr<Slot> slot, int tab)
    : pool_(pool), slot_(std::move(slot)), tab_(tab) {}

BrowserPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), slot_(std::move(other.slot_)), tab_(other.tab_) {}

BrowserPool::Lease& BrowserPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (pool_) Return(false, false);
    pool_ = std::exchange(other.pool_, nullptr);
    slot_ = std::move(other.slot_);
    tab_ = other.tab_;
  }
  return *this;
}

BrowserPool::Lease::~Lease() {
  if (pool_) Return(false, false);
}

BrowserSlot& BrowserPool::Lease::slot() const { return *slot_->browser; }

bool BrowserPool::Lease::in_current() const { return pool_ && slot_ == pool_->current_; }

void BrowserPool::Lease::Return(bool succeeded, bool died) {
  if (!pool_) return;
  BrowserPool* pool = std::exchange(pool_, nullptr);
  std::shared_ptr<Slot> slot = std::move(slot_);
  pool->Returned(slot, succeeded, died);
  // The last hold on a slot the pool let go of: it closes here.
}

BrowserPool::BrowserPool(SlotLauncher& launcher) : launcher_(launcher) {}

BrowserPool::~BrowserPool() { Shutdown(); }

Status BrowserPool::EnsureCurrent() {
  if (current_) return Status::Ok();
  auto started = launcher_.Take();
  if (!started.ok()) return started.error();
  auto slot = std::make_shared<Slot>();
  slot->browser = std::move(started->slot);
  ++slots_started_;
  if (started->prepared_ahead) ++slots_prepared_ahead_;
  spdlog::info("browser started: {}", started->description);
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(slot);
  // Abandon() may have run while it started, when it had nothing to kill.
  if (abandoned_) current_->browser->Kill();
  return Status::Ok();
}

BrowserPool::Lease BrowserPool::LeaseTab(int tab) {
  ++current_->leased;
  return Lease(this, current_, tab);
}

int BrowserPool::leased() const { return current_ ? current_->leased : 0; }
int BrowserPool::succeeded() const { return current_ ? current_->succeeded : 0; }
bool BrowserPool::dead() const { return current_ && current_->dead; }
pid_t BrowserPool::current_pid() const { return current_ ? current_->browser->pid() : -1; }

void BrowserPool::Returned(const std::shared_ptr<Slot>& slot, bool succeeded, bool died) {
  --slot->leased;
  if (succeeded) ++slot->succeeded;
  if (died && !slot->dead) {
    slot->dead = true;
    if (slot == current_) spdlog::warn("the browser (pid {}) died: a fresh one takes the next clients", slot->browser->pid());
  }
  if (slot->leased > 0) return;
  if (slot == moved_from_) {
    spdlog::debug("the browser moved on from (pid {}) closes: its last client is recorded", slot->browser->pid());
    Close(moved_from_);
  } else if (slot == current_ && slot->dead) {
    Close(current_);
  }
}

void BrowserPool::Close(std::shared_ptr<Slot>& which) {
  std::shared_ptr<Slot> closing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing = std::move(which);  // which is empty now
  }
  // closing (or the last lease holding it) destroys the slot: its browser
  // goes to the disposer.
}

void BrowserPool::MoveOn(const std::string& reason) {
  spdlog::info("moving on to the next browser: {}; pid {} closes once the clients still in it are done ({})", reason,
               current_pid(), leased());
  std::shared_ptr<Slot> idle;  // closes outside the lock
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ && current_->leased > 0) moved_from_ = std::move(current_);
    idle = std::move(current_);
    current_.reset();
  }
  idle.reset();
  if (Status s = EnsureCurrent(); !s.ok()) {
    spdlog::warn("the browser started ahead failed ({}); the next client starts one", s.message());
  }
}

void BrowserPool::Recycle(const std::string& reason) {
  if (!current_) return;
  spdlog::info("recycling the browser (pid {}): {}", current_pid(), reason);
  Close(current_);
}

std::vector<pid_t> BrowserPool::pids() const {
  std::vector<pid_t> pids;
  std::lock_guard<std::mutex> lock(mu_);
  if (current_) pids.push_back(current_->browser->pid());
  if (pid_t ahead = launcher_.starting_pid(); ahead > 0) pids.push_back(ahead);
  if (moved_from_) pids.push_back(moved_from_->browser->pid());
  return pids;
}

void BrowserPool::Abandon() {
  std::lock_guard<std::mutex> lock(mu_);
  abandoned_ = true;
  launcher_.Kill();
  for (const auto* slot : {&current_, &moved_from_}) {
    if (*slot) (*slot)->browser->Kill();
  }
}

void BrowserPool::Shutdown() {
  Close(moved_from_);
  Close(current_);
  launcher_.Shutdown();
}

}  // namespace boletos::jobs
