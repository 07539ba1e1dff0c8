#pragma once
// The HTTP side's vocabulary and its router, without sockets: what a handler
// sees, what it answers, and which handler a request reaches. The server
// (http_server.hpp) feeds parsed requests here; tests can call dispatch()
// directly.

#include <functional>
#include <map>
#include <string>

namespace ussdgw::app {

/// One parsed HTTP request.
struct http_request {
    std::string method;  ///< "GET", "POST", ... as sent (methods are case-sensitive)
    std::string target;  ///< the request target as sent, query included ("/api/v1/login?x=1")
    std::string body;    ///< the whole body (within the server's body limit)
    std::string client;  ///< the peer's IP address ("127.0.0.1", "::1")
    /// Header fields by lower-cased name; a repeated field's values joined with ", ".
    std::map<std::string, std::string> headers;
};

/// One HTTP response.
struct http_response {
    int status = 200;                                        ///< status code
    std::string content_type = "text/plain; charset=utf-8";  ///< Content-Type
    std::string body;                                        ///< the body, sent as is
    /// Extra header fields (Retry-After, Allow, WWW-Authenticate); the server
    /// sets Content-Type, Content-Length, Connection and Server itself.
    std::map<std::string, std::string> headers;
};

/// Answers a request by calling `respond` once, now or later (a second call is
/// ignored; dropping it uncalled closes the connection). It may be called or
/// dropped on any thread: the answer is written on the server's io_context.
using http_handler =
    std::function<void(const http_request&, std::function<void(http_response)> respond)>;

/// A one-line text/plain response ("not found" and the like); a line end is added.
http_response text_response(int status, std::string line);

/// Routes by exact path (the target without its query) and method.
class http_router {
  public:
    /// Routes `method` `path` to `h`; a later add for the same pair replaces it.
    void add(std::string method, std::string path, http_handler h);

    /// Runs the request's handler; an unknown path answers 404, a known path
    /// with another method 405 with Allow listing the path's methods.
    void dispatch(const http_request& req, std::function<void(http_response)> respond) const;

  private:
    std::map<std::string, std::map<std::string, http_handler>> routes_;  // path -> method -> h
};

/// The target's path: everything before '?' or '#'.
std::string target_path(const std::string& target);

}  // namespace ussdgw::app
