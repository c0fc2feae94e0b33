"""The strength planner: the pure core turning the rules and exercise catalogue into sessions."""
