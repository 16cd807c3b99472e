#include "policy/label_selector.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace zastava::policy {
namespace {

using nlohmann::json;

LabelSelector selector(const char* text) {
  auto parsed = LabelSelector::parse(json::parse(text));
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? std::move(parsed).value() : LabelSelector();
}

// The API server's semantics, one row a case: selector, labels, expected.
TEST(LabelSelector, MatchesLikeTheApiServer) {
  const Labels none;
  const Labels prod{{"env", "prod"}, {"team", "payments"}};
  const Labels dev{{"env", "dev"}};
  const Labels empty_value{{"env", ""}};
  struct Row {
    const char* selector;
    const Labels* labels;
    bool expected;
  };
  const Row rows[] = {
      {R"({})", &none, true},  // the empty selector matches everything
      {R"({})", &prod, true},
      {R"({"matchLabels":{}})", &none, true},
      {R"({"matchLabels":{"env":"prod"}})", &prod, true},
      {R"({"matchLabels":{"env":"prod"}})", &dev, false},
      {R"({"matchLabels":{"env":"prod"}})", &none, false},
      {R"({"matchLabels":{"env":"prod","team":"payments"}})", &prod, true},
      {R"({"matchLabels":{"env":"prod","team":"web"}})", &prod, false},
      {R"({"matchLabels":{"env":""}})", &empty_value, true},
      {R"({"matchLabels":{"env":""}})", &none, false},
      // In requires the key to be present.
      {R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]}]})", &prod,
       true},
      {R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]}]})", &dev,
       true},
      {R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod"]}]})", &dev, false},
      {R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod"]}]})", &none, false},
      // NotIn matches when the key is absent.
      {R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})", &none, true},
      {R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})", &dev, true},
      {R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})", &prod,
       false},
      {R"({"matchExpressions":[{"key":"env","operator":"Exists"}]})", &empty_value, true},
      {R"({"matchExpressions":[{"key":"env","operator":"Exists"}]})", &none, false},
      {R"({"matchExpressions":[{"key":"env","operator":"Exists","values":[]}]})", &dev, true},
      {R"({"matchExpressions":[{"key":"env","operator":"DoesNotExist"}]})", &none, true},
      {R"({"matchExpressions":[{"key":"env","operator":"DoesNotExist"}]})", &empty_value, false},
      // Requirements are ANDed, matchLabels with matchExpressions too.
      {R"({"matchLabels":{"team":"payments"},
           "matchExpressions":[{"key":"env","operator":"In","values":["prod"]},
                               {"key":"tier","operator":"DoesNotExist"}]})",
       &prod, true},
      {R"({"matchLabels":{"team":"payments"},
           "matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})",
       &prod, false},
      {R"({"matchExpressions":[{"key":"example.com/team","operator":"Exists"}]})", &prod, false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(selector(row.selector).matches(*row.labels), row.expected) << row.selector;
  }
}

TEST(LabelSelector, MatchLabelsBecomeInRequirements) {
  const LabelSelector s = selector(R"({"matchLabels":{"b":"2","a":"1"},
      "matchExpressions":[{"key":"c","operator":"NotIn","values":["y","x","y"]}]})");
  ASSERT_EQ(s.requirements().size(), 3u);
  EXPECT_EQ(s.requirements()[0].key, "a");
  EXPECT_EQ(s.requirements()[0].op, SelectorOperator::kIn);
  EXPECT_EQ(s.requirements()[0].values, std::vector<std::string>{"1"});
  EXPECT_EQ(s.requirements()[2].values, (std::vector<std::string>{"x", "y"}));  // sorted, unique
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(selector("{}").empty());
}

TEST(LabelSelector, RejectsWhatTheApiServerRejects) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([])", "sel: must be a mapping, not a list"},
      {R"({"matchLabel":{}})", "sel.matchLabel: unknown field"},
      {R"({"matchLabels":{"env":1}})", "sel.matchLabels.env: must be a string, not a number"},
      {R"({"matchLabels":{"env":"no spaces"}})", "sel.matchLabels.env: label value"},
      {R"({"matchLabels":{"Example.com/x":"a"}})", "lower-case DNS subdomain"},
      {R"({"matchLabels":{"a/b/c":"a"}})", "label key name \"b/c\""},
      {R"({"matchLabels":{"-x":"a"}})", "start and end with a letter or digit"},
      {R"({"matchLabels":{"x":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}})",
       "longer than 63"},
      {R"({"matchExpressions":{}})", "sel.matchExpressions: must be a list"},
      {R"({"matchExpressions":[{"operator":"Exists"}]})",
       "sel.matchExpressions[0].key: is required"},
      {R"({"matchExpressions":[{"key":"a"}]})", "sel.matchExpressions[0].operator: is required"},
      {R"({"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]})",
       "must be one of In, NotIn, Exists, DoesNotExist, not \"Gt\""},
      {R"({"matchExpressions":[{"key":"a","operator":"NotIn","values":[]}]})",
       "sel.matchExpressions[0].values: must list at least one value for operator NotIn"},
      {R"({"matchExpressions":[{"key":"a","operator":"DoesNotExist","values":["x"]}]})",
       "must be empty for operator DoesNotExist"},
      {R"({"matchExpressions":[{"key":"a","operator":"In","values":["ok","bad value"]}]})",
       "sel.matchExpressions[0].values[1]: label value"},
      {R"({"matchExpressions":[{"key":"a","operator":"In","values":["x"],"value":"y"}]})",
       "sel.matchExpressions[0].value: unknown field"},
  };
  for (const auto& [text, why] : cases) {
    auto parsed = LabelSelector::parse(json::parse(text), "sel");
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find(why), std::string::npos)
        << text << " -> " << parsed.error().message;
  }
}

TEST(LabelSelector, KeysAndValuesFollowKubernetesSyntax) {
  EXPECT_TRUE(validate_label_key("app").ok());
  EXPECT_TRUE(validate_label_key("app.kubernetes.io/name").ok());
  EXPECT_TRUE(validate_label_key("kubernetes.io/metadata.name").ok());
  EXPECT_TRUE(validate_label_key("A_b.c-D").ok());
  EXPECT_FALSE(validate_label_key("").ok());
  EXPECT_FALSE(validate_label_key("/name").ok());
  EXPECT_FALSE(validate_label_key("example.com/").ok());
  EXPECT_FALSE(validate_label_key("exa_mple.com/name").ok());
  EXPECT_TRUE(validate_label_value("").ok());
  EXPECT_TRUE(validate_label_value("v1.2_3-x").ok());
  EXPECT_FALSE(validate_label_value("v1/2").ok());
  EXPECT_FALSE(validate_label_value("x-").ok());
  EXPECT_TRUE(validate_namespace_name("kube-system").ok());
  EXPECT_FALSE(validate_namespace_name("Kube").ok());
  EXPECT_FALSE(validate_namespace_name("a.b").ok());
  EXPECT_FALSE(validate_namespace_name("-a").ok());
}

TEST(Labels, FindsByKeyAndLaterDuplicatesWin) {
  const Labels labels(
      std::vector<std::pair<std::string, std::string>>{{"b", "1"}, {"a", "2"}, {"b", "3"}});
  EXPECT_EQ(labels.size(), 2u);
  ASSERT_NE(labels.find("b"), nullptr);
  EXPECT_EQ(*labels.find("b"), "3");
  EXPECT_EQ(*labels.find("a"), "2");
  EXPECT_EQ(labels.find("c"), nullptr);
  const Labels from_map(std::map<std::string, std::string, std::less<>>{{"x", "y"}});
  EXPECT_EQ(*from_map.find("x"), "y");
}

}  // namespace
}  // namespace zastava::policy
