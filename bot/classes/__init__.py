"""Classes run through private chats: join links, members, and questions sent to them all."""
