#pragma once
// Internal to the menu loader: the tree under construction plus what only the
// loader needs (references by name, source lines), shared by its passes:
// read_node.cpp (files -> nodes), link.cpp (references, reachability,
// actions, placeholders), screens.cpp (paging and fit checks).

#include <map>
#include <string>
#include <vector>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/menu/problem.hpp"
#include "ussdgw/menu/tree.hpp"
#include "ussdgw/menu/yaml_read.hpp"

namespace ussdgw::menu::detail {

/// A reference to a node by name, with where it was written.
struct ref {
    std::string name;  // empty: none given
    int line = 0;
};

/// Source facts of one node, parallel to tree::nodes.
struct node_source {
    ref next, yes, no;
    std::vector<ref> option_next;
    int text_line = 0, error_line = 0, action_line = 0, args_line = 0, ok_line = 0,
        refused_line = 0;
    std::vector<int> arg_lines;
};

/// Everything the passes share.
struct builder {
    builder(std::string dir_in, const actions::catalog& cat)
        : dir(std::move(dir_in)), catalog(cat) {}

    std::string dir;
    const actions::catalog& catalog;
    tree t;
    std::vector<node_source> sources;    // parallel to t.nodes
    std::vector<ref> code_targets;       // parallel to t.codes
    std::map<std::string, node_id> ids;  // node id -> index
    ref root;
    std::string root_file;
    std::string strings_file;
    int strings_line = 0;
    std::vector<bool> reachable;      // filled by link()
    const vars* constants = nullptr;  // load_options::constants
    problems out;

    void report(const std::string& file, int line, std::string message) {
        out.push_back({file, line, std::move(message)});
    }
};

/// Reads one node `id: {...}` of a `nodes` map.
void read_node(builder& b, yaml_file& f, const YAML::Node& key, const YAML::Node& body);
/// Reads one item of a `codes` list.
void read_code(builder& b, yaml_file& f, const YAML::Node& item);
/// Resolves references and checks reachability, codes, actions and placeholders.
void link(builder& b);
/// Pages every static screen and reports those that cannot fit.
void prepare_screens(builder& b);

}  // namespace ussdgw::menu::detail
