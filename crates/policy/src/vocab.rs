//! Vocabulary: enums for the words the policy and enforcement share, each with one list that
//! serde, `policy lint`, the store and the API all use.

/// Declares a vocabulary enum: its variants with their names, `ALL`, `as_str` and `parse`.
/// The crate using it depends on serde.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name in JSON, the store and the API.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(name: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == name)
            }

            /// Every name, comma-separated, for error messages.
            pub fn names() -> String {
                $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// A function a restriction takes away from an account, enforced at the event it governs.
    Function {
        /// Links and share codes in moments (checks in the `moment` scene).
        LinksInMoments = "links_in_moments",
        /// Share codes anywhere (checks).
        ShareCodes = "share_codes",
        /// One message pushed to many groups (`group_message` and `forward` events).
        GroupBroadcast = "group_broadcast",
        /// Friend requests (`friend_request` events).
        AddFriends = "add_friends",
        /// Creating groups and inviting into them (`group_create`, `group_invite` events).
        CreateGroups = "create_groups",
    }
}

vocabulary! {
    /// A behaviour signal about an account or device, as rules read it in `signals`.
    BehaviourSignal {
        /// Many friend requests sent in a short window.
        BulkFriendRequests = "bulk_friend_requests",
        /// Many friend requests received (the account is a target; informs only).
        FriendRequestFlood = "friend_request_flood",
        /// One near-identical text pushed to many groups.
        GroupFanout = "group_fanout",
        /// Many forwards in a short window.
        ForwardBurst = "forward_burst",
        /// Replies too fast and too regular for a person.
        BotReplies = "bot_replies",
        /// Red packets grabbed faster than human reaction.
        RedPacketBot = "red_packet_bot",
        /// One account on many devices.
        DeviceHopping = "device_hopping",
        /// Many accounts on one device.
        DeviceFarm = "device_farm",
        /// Consecutive logins too far apart for the time between them (informs only).
        ImpossibleTravel = "impossible_travel",
        /// A client that is not the platform's own.
        UnofficialClient = "unofficial_client",
        /// Many people invited into groups in a short window.
        BulkGroupInvites = "bulk_group_invites",
        /// Many people removed from groups in a short window.
        BulkGroupKicks = "bulk_group_kicks",
        /// Many distinct senders posting near-identical text (`check --jsonl`).
        Campaign = "campaign",
    }
}

impl Function {
    /// What the function lets an account do, as a refusal names it ("you cannot … until").
    pub fn phrase(self) -> menshen_i18n::Msg {
        use menshen_i18n::Msg;
        match self {
            Function::LinksInMoments => Msg::FunctionLinksInMoments,
            Function::ShareCodes => Msg::FunctionShareCodes,
            Function::GroupBroadcast => Msg::FunctionGroupBroadcast,
            Function::AddFriends => Msg::FunctionAddFriends,
            Function::CreateGroups => Msg::FunctionCreateGroups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_json_and_parse_back() {
        for f in Function::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
            assert_eq!(Function::parse(f.as_str()), Some(*f));
        }
        assert_eq!(Function::parse("fly"), None);
        assert!(Function::names().starts_with("links_in_moments, share_codes"));
    }
}
