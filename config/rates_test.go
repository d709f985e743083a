package config

import (
	"strings"
	"testing"
)

func TestTelegramRates(t *testing.T) {
	c, err := Load(env(map[string]string{"HOME": "/home/x"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramRate != 30 || c.TelegramChatRate != 1 || c.TelegramGroupRate != 20 {
		t.Errorf("default rates %v, %v, %v; want 30, 1, 20", c.TelegramRate, c.TelegramChatRate, c.TelegramGroupRate)
	}
	c, err = Load(env(map[string]string{"UNIONBOT_TELEGRAM_RATE": "1000", "UNIONBOT_TELEGRAM_CHAT_RATE": "0.5", "UNIONBOT_TELEGRAM_GROUP_RATE": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramRate != 1000 || c.TelegramChatRate != 0.5 || c.TelegramGroupRate != 0 {
		t.Errorf("rates %v, %v, %v", c.TelegramRate, c.TelegramChatRate, c.TelegramGroupRate)
	}
	for name, v := range map[string]string{"UNIONBOT_TELEGRAM_RATE": "fast", "UNIONBOT_TELEGRAM_CHAT_RATE": "-1", "UNIONBOT_TELEGRAM_GROUP_RATE": "NaN"} {
		_, err := Load(env(map[string]string{name: v}))
		if err == nil || !strings.Contains(err.Error(), name+" must be a number") {
			t.Errorf("%s=%s: error %v, want one naming the variable", name, v, err)
		}
	}
}
