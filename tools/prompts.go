package tools

import "github.com/mark3labs/mcp-go/server"

// addPrompts registers the prompts (see prompts_recipes.go).
func (s *Server) addPrompts(srv *server.MCPServer) {}
