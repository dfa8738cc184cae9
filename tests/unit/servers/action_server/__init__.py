"""Tests of zhike.servers.action_server: the action server and the Rasa side of its link."""
