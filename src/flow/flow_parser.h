#pragma once
// Reading and checking a flow file before anything runs. Every error is
// kBadInput and starts "FILE:LINE:" with what is wrong and what to write.

#include <map>
#include <set>
#include <string>

#include "core/redactor.h"
#include "flow/flow.h"

namespace boletos::flow {

// Reads the file and checks it: the structure, every step, every template
// name (client.* columns are checked later, against the clients).
// var_overrides (--var KEY=VALUE) replace or add `vars`.
Result<Flow> LoadFlowFile(const std::string& path, const std::map<std::string, std::string>& var_overrides);
// The same from text; name is what messages call the file.
Result<Flow> ParseFlow(const std::string& yaml_text, const std::string& name,
                       const std::map<std::string, std::string>& var_overrides);

// Every {{client.X}} names a column the clients have (id, name and document
// always exist). The error lists the columns there are.
Status CheckClientColumns(const Flow& flow, const std::set<std::string>& columns);
// Every {{env.X}} is set; the error lists all that are missing.
Status CheckEnv(const Flow& flow, const EnvLookup& env);
// The values of every {{env.X}} the flow uses are secrets.
void AddSecrets(const Flow& flow, const EnvLookup& env, Redactor& redactor);

}  // namespace boletos::flow
