"""What the network's staff do from the chat: status changes, data in and out by document."""
